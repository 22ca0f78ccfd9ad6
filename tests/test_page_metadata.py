"""Page chrome and each metadata source, on short texts made here."""
import pytest

from indexer.report.chrome import is_chrome_line, is_salutation
from indexer.report.clean import clean_paragraphs
from indexer.report.declared import read_declared
from indexer.report.issuer import agency_kind, agency_level
from indexer.report.metadata import find_metadata

BODY = "2024年，我局坚持依法行政，各项工作取得新进展。现将有关情况报告如下："


@pytest.mark.parametrize("line", [
    "登录   注册", "当前位置:首页>专题专栏>行政执法部门>卫生健康局 返回首页", "您当前的位置：首页 > 政务公开",
    "首页 > 政府信息公开 > 法治政府建设", ">政府信息公开>法治政府建设", "今天是2026年1月2日 星期五",
    "2026年1月2日 星期五 农历冬月十四", "返回首页", "无障碍 | 繁體 | English", "【打印本页】【关闭窗口】",
    "字号：大 中 小", "浏览次数：", "点击率：23", "发布时间:2026-01-29     信息发布人:江源区卫健局",
    "2025-04-27 10:14 黑龙江省人民政府网", "省政府办公厅 2022-03-15", "• 索引号:11371002MB2860928Q/2026-00027",
    "  • 发布单位:威海市环翠区卫生健康局", "• 文号:", "文件下载", "附件：", "附件", "本页水印 仅供浏览",
])
def test_chrome_line(line):
    assert is_chrome_line(line)


@pytest.mark.parametrize("line", [
    "一、2025年推进法治政府建设的主要举措和成效", "附件：江西省安全生产知识和管理能力考核申请考试报名表",
    "2023年12月31日", "江源区卫生健康局", "时间紧、任务重，我们克服困难。", "各位代表！１９５６年国家预算关系到我国建设事业",
    "文号：沪科〔2007〕第533号",
])
def test_report_line_is_not_chrome(line):
    assert not is_chrome_line(line)


def test_salutation_alone_is_no_passage_but_ends_the_paragraph_before():
    assert is_salutation("各位代表：") and not is_salutation("各位代表！今年是关键的一年。")
    raw = "——2024年3月5日在大会上\n各位代表：\n现在，我代表国务院，向大会报告政府工作。"
    assert clean_paragraphs(raw) == ["——2024年3月5日在大会上", "现在，我代表国务院，向大会报告政府工作。"]


def test_document_number_in_the_body_is_kept_above_it_dropped():
    head = "文号：浙政发〔2016〕49号\n浙江省人民政府关于印发方案的通知\n各市人民政府：\n现将方案印发给你们。\n"
    body = "1.上海市某办法\n文号：沪科〔2007〕第533号\n"
    paragraphs = clean_paragraphs(head + body)
    assert "文号：浙政发〔2016〕49号" not in paragraphs and "文号：沪科〔2007〕第533号" in paragraphs


def _meta(raw: str, hints=None):
    return find_metadata(clean_paragraphs(raw), raw, hints)


def test_index_block_agency_and_date_first():
    raw = ("首页\n  • 索引号:113/2026-00027\n  • 发布单位:威海市环翠区卫生健康局\n  • 成文日期:2026-01-06\n"
           "  • 文号:\n\n环翠区卫生健康局2025年度法治政府建设情况报告\n" + BODY)
    meta = _meta(raw)
    assert meta.title == "环翠区卫生健康局2025年度法治政府建设情况报告"
    assert (meta.agency, meta.date, meta.year) == ("威海市环翠区卫生健康局", "2026-01-06", 2025)
    assert meta.sources["agency"] == "发布单位 line 3" and meta.sources["date"] == "成文日期 line 4"


def test_index_block_on_one_long_line():
    declared = read_declared("索引号：000014349/2013-00185 发布机构：江苏省人民政府办公厅 成文日期：2013-05-13 主题分类：教育")
    assert declared.values["agency"] == "江苏省人民政府办公厅" and declared.values["date"] == "2013-05-13"


def test_meta_tags_come_first():
    hints = {"meta": {"ArticleTitle": "某县司法局2023年法治政府建设年度报告", "PubDate": "2024-01-15 09:00",
                      "ContentSource": "某县司法局"}}
    meta = _meta("2023年法治政府建设年度报告\n" + BODY, hints)
    assert meta.title == "某县司法局2023年法治政府建设年度报告" and meta.sources["title"] == "meta ArticleTitle"
    assert meta.date == "2024-01-15" and meta.sources["date"] == "meta PubDate"


def test_byline_date_under_the_title():
    meta = _meta("黑龙江省2024年度法治政府建设情况报告\n\n2025-04-27 10:14 黑龙江省人民政府网\n\n2024年，黑龙江省忠诚践行习近平法治思想。")
    assert meta.date == "2025-04-27" and meta.sources["date"].startswith("byline")
    assert meta.agency == "黑龙江省人民政府" and meta.sources["agency"] == "title"


def test_a_site_clock_is_never_the_year_or_the_date():
    meta = _meta("今天是2026年1月2日 星期五\n" + BODY.replace("2024年，我局", "我局"))
    assert meta.year is None and meta.date is None


def test_signature_date():
    meta = _meta(BODY + "\n某县司法局\n2024年1月20日")
    assert meta.date == "2024-01-20" and meta.sources["date"] == "signature"


def test_title_joined_from_issuer_line_and_guanyu_line():
    meta = _meta("重庆市荣昌区交通运输委员会\n关于2024年法治政府建设工作情况的报告\n" + BODY)
    assert meta.title == "重庆市荣昌区交通运输委员会关于2024年法治政府建设工作情况的报告"
    assert meta.agency == "重庆市荣昌区交通运输委员会"


def test_no_title_when_the_page_shows_none():
    meta = _meta("一、2025年推进法治政府建设的主要举措和成效\n" + BODY)
    assert meta.title == ""


def test_year_of_a_cited_plan_is_not_the_report_year():
    meta = _meta("根据《全面深化法治领域改革纲要（2023—2027年）》要求，2023年，清波街道以学习为核心。")
    assert meta.year == 2023


@pytest.mark.parametrize("opening, agency", [
    ("2019年，在省委的正确领导下，南昌县全面贯彻党的十九大精神。", "南昌县人民政府"),
    ("2024年，云南省委、省政府坚持以习近平新时代中国特色社会主义思想为指导。", "中共云南省委、云南省人民政府"),
    ("2022年，司法部坚持以习近平新时代中国特色社会主义思想为指导。", "中华人民共和国司法部"),
    ("2021年，教育厅以习近平思想为引领。印发《四川省教育厅关于做好工作的通知》。", "四川省教育厅"),
    ("2025年，在区委的领导下，我局坚持依法行政。审议通过了《龙岩市永定区卫生健康局实施方案》，推进卫生健康法治。",
     "龙岩市永定区卫生健康局"),
    ("2023年，清波街道以学习为核心。", "清波街道办事处"),
    ("2024年，全省各级政府坚持依法行政。", ""),
])
def test_issuer_from_the_opening(opening, agency):
    meta = _meta(opening)
    assert meta.agency == agency
    if agency:
        assert meta.sources["agency"].startswith("opening")


def test_we_bureau_is_not_a_party_committee_office():
    meta = _meta("2025年，我委坚持依法行政。根据中共重庆市涪陵区委机构编制委员会的规定执行。")
    assert meta.agency == ""


@pytest.mark.parametrize("agency, kind", [
    ("威海市环翠区卫生健康局", "卫生健康"), ("石柱土家族自治县公安局", "公安"), ("中华人民共和国司法部", "司法"),
    ("绍兴市市场监督管理局", "市场监管"), ("四川省教育厅", "教育"), ("绍兴市生态环境局", "生态环境"),
    ("某市住房和城乡建设局", "住房城乡建设"), ("重庆市荣昌区交通运输委员会", "交通运输"), ("某县应急管理局", "应急管理"),
    ("河南省人民政府", "人民政府"), ("杭州市西湖区留下街道办事处", "街道/乡镇"), ("仁和镇人民政府", "街道/乡镇"),
    ("中共云南省委、云南省人民政府", "党委和政府"), ("赛迪研究院", "其他"), ("", ""),
    ("上海市科学技术委员会", "科技"), ("海关总署", "海关"), ("全国人民代表大会常务委员会", "人大"),
])
def test_agency_kind(agency, kind):
    assert agency_kind(agency) == kind


@pytest.mark.parametrize("agency, region, level", [
    ("中华人民共和国司法部", ("", "", ""), "国家"), ("海关总署", ("", "", ""), "国家"),
    ("河南省人民政府", ("河南省", "", ""), "省"), ("上海市民政局", ("上海市", "上海市", ""), "省"),
    ("保定市人民政府", ("河北省", "保定市", ""), "市"), ("石柱土家族自治县公安局", ("重庆市", "重庆市", "石柱土家族自治县"), "县"),
    ("留下街道办事处", ("", "", ""), "乡镇街道"), ("赛迪研究院", ("", "", ""), ""),
])
def test_agency_level(agency, region, level):
    assert agency_level(agency, agency_kind(agency), *region) == level


@pytest.mark.parametrize("title, agency", [
    ("平顶山市人民政府关于平顶山市2023年法治政府建设情况的报告", "平顶山市人民政府"),
    ("中共桃江县委 桃江县人民政府关于2023年度法治政府建设情况的报告", "中共桃江县委员会、桃江县人民政府"),     # signatories by formal name
    ("2023年度宁远县司法局法治政府建设年度报告", "宁远县司法局"),
    ("保定市2021年度法治政府建设情况", "保定市人民政府"),
    ("牛田镇2024年法治政府建设情况报告", "牛田镇人民政府"),
])
def test_issuer_from_the_title(title, agency):
    meta = _meta(title + "\n2023年，我们坚持依法行政，各项工作取得新进展。")
    assert meta.agency == agency and meta.sources["agency"] == "title"


def test_a_site_name_heading_is_no_title():
    meta = _meta("一、主要举措和成效\n" + BODY, {"title": "某市人民政府门户网站"})
    assert meta.title == ""


def test_a_county_name_several_cities_have_is_resolved_only_by_the_page():
    from indexer.report.region import resolve_region

    assert resolve_region("西湖区卫生健康局") == ("", "", "")
    assert resolve_region("西湖区卫生健康局", context="在杭州市委的领导下") == ("浙江省", "杭州市", "西湖区")
    assert resolve_region("江源区卫生健康局") == ("吉林省", "白山市", "江源区")


def test_a_county_body_keeps_its_own_name_a_district_body_gets_its_city():
    from indexer.report.region import full_agency_name

    assert full_agency_name("石柱土家族自治县公安局", "重庆市", "石柱土家族自治县") == "石柱土家族自治县公安局"
    assert full_agency_name("江源区卫生健康局", "白山市", "江源区") == "白山市江源区卫生健康局"


def test_byline_on_the_title_line_is_cut_and_a_column_name_is_no_title():
    raw = ("法治政府建设年度报告\n西工区司法局2023年法治政府建设年度报告 发布时间：2024-01-05\n"
           "2023年，区司法局坚持依法行政。")
    meta = _meta(raw)
    assert meta.title == "西工区司法局2023年法治政府建设年度报告" and meta.date == "2024-01-05"


def test_chinese_numeral_year_in_the_title():
    meta = _meta("宁远县司法局二〇二三年法治政府建设年度报告\n我局坚持依法行政。")
    assert meta.year == 2023 and meta.agency == "宁远县司法局"


def test_short_declared_issuer_is_completed_from_the_text_or_left_empty():
    body = "\n关于2023年法治政府建设情况的报告\n2023年，我局坚持依法行政，推进司法行政工作。"
    assert _meta("发布机构：区司法局" + body + "审议《洛阳市西工区司法局工作规则》。").agency == "洛阳市西工区司法局"
    assert _meta("发布机构：区司法局" + body).agency == ""


def test_a_date_that_starts_a_rule_is_no_byline():
    assert "published" not in read_declared("2024年1月1日起施行").values
    assert read_declared("2024年1月5日 来源：本网").values["published"] == "2024-01-05"


def test_a_town_gets_the_county_its_opening_names(tmp_path):
    from indexer.report.corpus import read_report

    path = tmp_path / "town.txt"
    path.write_text("仁和镇2024年法治政府建设情况报告\n2024年，在宁远县委、县政府的坚强领导下，仁和镇坚持依法行政。",
                    encoding="utf-8")
    report = read_report(path)
    assert (report.agency, report.province, report.city, report.county) == ("宁远县仁和镇人民政府", "湖南省", "永州市", "宁远县")
    assert (report.agency_kind, report.agency_level) == ("街道/乡镇", "乡镇街道")
    path.write_text("留下街道2022年度法治政府建设工作报告\n2022年，在区委、区政府的坚强领导下，留下街道坚持依法行政。",
                    encoding="utf-8")
    report = read_report(path)
    assert (report.agency, report.county) == ("留下街道办事处", "")        # no county named: none guessed


def test_web_page_index_block_outside_the_article_is_read(tmp_path):
    from indexer.report.corpus import read_report

    page = ("<html><head><title>某某网站</title></head><body><div class='nav'>首页 | 政务公开 | 互动交流</div>"
            "<div class='clock'>今天是2026年1月2日 星期五</div>"
            "<table class='xxgk'><tr><td>索引号：113/2024-01</td><td>发布机构：宁远县司法局</td></tr>"
            "<tr><td>成文日期：2024-01-15</td><td>文号：</td></tr></table>"
            "<article><h1>宁远县司法局2023年法治政府建设年度报告</h1>"
            "<p>2023年，我局坚持以习近平法治思想为指导，全面推进法治政府建设，各项工作取得新进展。</p>"
            "<p>一、主要举措和成效</p><p>（一）加强组织领导。我局召开专题会议研究部署法治政府建设工作，"
            "明确责任分工，细化任务清单，推动各项工作落实落细。</p></article>"
            "<ul class='related'><li>关于开展普法工作的通知 2023-05-06</li></ul></body></html>")
    path = tmp_path / "page.html"
    path.write_text(page, encoding="utf-8")
    report = read_report(path)
    assert report.agency == "宁远县司法局" and report.sources["agency"].startswith("发布机构 page line")
    assert report.date == "2024-01-15" and report.year == 2023
    assert report.title == "宁远县司法局2023年法治政府建设年度报告"


def test_a_target_year_is_not_the_year_covered():
    meta = _meta("为实现到2035年基本建成法治政府的目标，2024年，我局坚持依法行政。")
    assert meta.year == 2024


def test_issuer_line_under_the_title_and_joint_issuers_joined():
    meta = _meta("二〇二四年度法治政府建设情况报告\n中共江门市委 江门市人民政府\n2024年，全市上下坚持依法行政。")
    assert meta.agency == "中共江门市委、江门市人民政府" and meta.sources["agency"] == "paragraph 2"
    assert meta.year == 2024 and agency_kind(meta.agency) == "党委和政府"


def test_a_short_name_with_no_place_is_no_issuer():
    meta = _meta("市人民政府关于2023年度法治政府建设情况的报告\n2023年，市政府坚持依法行政。\n2024年3月20日")
    assert meta.agency == "" and meta.date == "2024-03-20"


# --- one word list, the same behaviour everywhere (issue 10's drifted lists) ---

from indexer.report import patterns  # noqa: E402


@pytest.mark.parametrize("label", sorted(set(patterns.INDEX_AGENCY_LABELS + patterns.INDEX_DATE_LABELS
                                             + patterns.INDEX_BLOCK_LABELS + patterns.INDEX_SOURCE_LABELS
                                             + patterns.INDEX_HEAD_LABELS)))
def test_an_index_block_label_is_read_and_never_a_passage(label):
    value = "2024-01-15" if label in patterns.INDEX_DATE_LABELS else "宁远县司法局"
    raw = f"{label}：{value}\n宁远县司法局2023年法治政府建设年度报告\n2023年，我局坚持依法行政。"
    paragraphs = clean_paragraphs(raw)
    assert paragraphs[0] == "宁远县司法局2023年法治政府建设年度报告", paragraphs
    declared = read_declared(raw)
    if label in patterns.INDEX_AGENCY_LABELS:
        assert declared.values["agency"] == value
    if label in patterns.INDEX_DATE_LABELS:
        assert value in (declared.values.get("date"), declared.values.get("published"),
                         declared.values.get("other_date"))


@pytest.mark.parametrize("kind", patterns.DOCUMENT_KINDS.split("|"))
def test_a_title_of_every_document_kind_stands_alone_and_is_the_title(kind):
    title = f"宁远县司法局2023年法治政府建设工作{kind}"
    raw = f"{title}\n2023年，我局坚持依法行政，各项工作取得新进展。"
    assert clean_paragraphs(raw)[0] == title
    assert _meta(raw).title == title


def test_a_portal_name_far_above_the_title_is_not_the_issuer():
    raw = ("南宁市人民政府\n首页 > 部门动态\n专题专栏\n2023年度法治政府建设工作报告\n"
           "2023年，我局坚持以习近平法治思想为指导。")
    assert _meta(raw).agency == ""


@pytest.mark.parametrize("title, agency", [
    ("宁远县司法局法治政府建设年度报告（2023年度）", "宁远县司法局"),
    ("广东省法治政府建设年度报告（2023年）", "广东省人民政府"),
    ("宁远县司法局二〇二三年法治政府建设年度报告", "宁远县司法局"),
])
def test_issuer_from_a_title_with_the_year_after_it(title, agency):
    meta = _meta(title + "\n本年度，我们坚持依法行政，各项工作取得新进展。")
    assert meta.agency == agency and meta.year == 2023


def test_we_bureau_is_the_named_bureau_of_the_reports_own_field():
    text = ("2024年，我局坚持依法行政，配合龙岩市公安局开展联合执法。审议通过《龙岩市永定区卫生健康局实施方案》，"
            "全面履行卫生健康领域法治建设职责。")
    assert _meta(text).agency == "龙岩市永定区卫生健康局"


def test_a_title_printed_on_a_breadcrumb_line_is_kept():
    raw = ("当前位置：首页 > 政务公开 > 法治政府建设 江源区卫生健康局2025年度法治政府建设工作报告\n"
           "2025年，我局坚持依法行政。")
    assert clean_paragraphs(raw)[0] == "江源区卫生健康局2025年度法治政府建设工作报告"
    raw = "首页 > 专栏 石柱土家族自治县公安局 关于2025年法治政府建设工作情况的报告\n正文。"
    assert _meta(raw).title == "石柱土家族自治县公安局 关于2025年法治政府建设工作情况的报告"
    assert clean_paragraphs("当前位置：首页 > 政务公开\n正文。") == ["正文。"]
