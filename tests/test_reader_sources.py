"""Issue 21: each new source of a metadata field, the no-loss rule, coverage,
the document kind and the year rule, on small texts shaped like real pages;
then on a real index built from ../shared (doc_type filters, build warnings)."""
import csv
import json

import pytest
from click.testing import CliRunner

from conftest import shared_path
from indexer.cli import main
from indexer.report.clean import clean_paragraphs
from indexer.report.corpus import read_report
from indexer.report.kind import document_kind, kind_of_name
from indexer.report.dates import find_year
from indexer.report.metadata import find_metadata

BODY = ("根据《法治政府建设与责任落实督察工作规定》要求，现将我局2022年法治政府建设情况报告如下。"
        "一、主要工作。我局坚持谁执法谁普法，全年开展执法培训12次，办理行政复议案件8件。") * 8


def _read(tmp_path, text: str, name: str = "r.txt"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return read_report(path)


# --- no text lost ----------------------------------------------------------

def test_a_byline_after_the_title_keeps_the_text_after_it():
    paragraphs = clean_paragraphs("某某局2022年法治政府建设情况报告 来源：本站 " + BODY)
    assert paragraphs[0] == "某某局2022年法治政府建设情况报告"
    assert "".join(paragraphs[1:]) == BODY


def test_a_breadcrumb_line_that_goes_on_with_the_article_keeps_the_article():
    line = "当前位置： 首页 > 政务公开 > 法治政府建设年度报告 时间：2023-03-31 10:09 微信 微博 QQ空间 " + BODY
    paragraphs = clean_paragraphs(line)
    assert "".join(paragraphs) == BODY
    assert not any("当前位置" in p or "QQ空间" in p for p in paragraphs)


def test_a_chrome_line_alone_is_still_dropped():
    assert clean_paragraphs("来源：本站 时间：2023-03-31 10:09 微信 微博\n" + BODY) == [BODY]


def test_a_scraped_header_block_is_metadata_and_the_article_is_kept(tmp_path):
    text = ("标题: 某某县司法局2022年法治政府建设情况报告\n发布时间: 2023-03-31\n发布机构: 某某县司法局\n"
            "栏目: 法治政府\n原文链接: http://www.example.gov.cn/a/1.html\n"
            "当前位置： 首页 > 政务公开 > 法治政府 时间：2023-03-31 10:09 微信 微博 QQ空间 " + BODY)
    report = _read(tmp_path, text)
    assert report.title == "某某县司法局2022年法治政府建设情况报告"
    assert report.sources["title"].startswith("标题")
    assert report.source_url == "http://www.example.gov.cn/a/1.html"
    assert report.date == "2023-03-31"
    assert "谁执法谁普法" in report.text and "栏目" not in report.text and "原文链接" not in report.text
    assert report.coverage > 0.9


def test_coverage_says_what_share_of_the_chinese_text_reached_the_passages(tmp_path):
    report = _read(tmp_path, "首页 | 政务公开 | 新闻中心 | 互动交流\n" + BODY)
    assert 0.9 < report.coverage < 1.0          # the nav bar's characters are the only ones missing


# --- new sources of a field --------------------------------------------------

def test_title_named_by_a_publishing_sentence(tmp_path):
    report = _read(tmp_path, "根据要求，现将《临沧市文化和旅游局2025年度法治政府建设情况报告》予以公布。\n" + BODY)
    assert report.title == "临沧市文化和旅游局2025年度法治政府建设情况报告"
    assert report.agency == "临沧市文化和旅游局" and report.city == "临沧市"
    assert report.sources["title"].startswith("sentence naming the report")


def test_issuer_named_by_the_sentence_that_presents_the_report(tmp_path):
    report = _read(tmp_path, "依据规定，现将北京市石景山区人民政府2023年法治政府建设年度情况报告如下。\n" + BODY)
    assert report.title == ""                    # a sentence is not a title
    assert (report.agency, report.county) == ("北京市石景山区人民政府", "石景山区")


def test_issuer_as_the_subject_before_its_leadership(tmp_path):
    report = _read(tmp_path, "2025年，汕尾市退役军人事务局在市委、市政府的坚强领导下，坚持依法行政。\n" + BODY)
    assert report.agency == "汕尾市退役军人事务局"
    assert report.sources["agency"].startswith("opening")


@pytest.mark.parametrize("title, agency", [
    ("南昌县政府2021年度法治政府建设工作报告", "南昌县人民政府"),
    ("农业农村部2024年度法治政府建设情况的报告", "中华人民共和国农业农村部"),
])
def test_a_short_form_is_printed_in_full(tmp_path, title, agency):
    assert _read(tmp_path, title + "\n" + BODY).agency == agency


@pytest.mark.parametrize("line", [
    "• 有 效 性: 有效中共某某县委 某某县人民政府关于2024年度法治政府建设工作的报告",
    "中共某某县委 某某县人民政府关于2024年度法治政府建设工作的报告 - 规划计划 - 某某县政府门户网站",
])
def test_a_title_without_the_junk_glued_to_it(tmp_path, line):
    assert _read(tmp_path, line + "\n" + BODY).title == "中共某某县委 某某县人民政府关于2024年度法治政府建设工作的报告"


def test_an_index_block_of_label_and_value_lines(tmp_path):
    text = "黄陂区2020年法治政府建设工作报告\n2020-12-22 11:50\n发文单位\n区人民政府\n发文日期\n2020-12-03 10:00\n" + BODY
    report = _read(tmp_path, text)
    assert report.agency == "武汉市黄陂区人民政府"
    assert report.date == "2020-12-03" and report.sources["date"].startswith("发文日期")
    assert not any(p.text.startswith(("发文单位", "区人民政府")) for p in report.passages)


def test_a_date_under_another_label(tmp_path):
    text = "南昌县政府2021年度法治政府建设工作报告\n生成日期: 2022-02-20\n" + BODY
    assert _read(tmp_path, text).date == "2022-02-20"


# --- issuer: short names completed, joint issuers, the vote (second round) ---

OPENING = "2023年，{}坚持依法行政，推进法治建设。"


@pytest.mark.parametrize("mention, agency, province", [
    ("党组书记在《福建日报》发表文章。", "福建省农业农村厅", "福建省"),
    ("党组书记在《福建日报》《浙江日报》发表文章。", "", ""),    # two provinces: no guess
    ("", "", ""),                                                   # none: no guess
])
def test_a_provincial_body_named_by_its_level_takes_the_one_province_the_page_names(tmp_path, mention, agency,
                                                                                      province):
    report = _read(tmp_path, OPENING.format("省农业农村厅") + mention + "\n" + BODY)
    assert (report.agency, report.province) == (agency, province)


def test_a_city_commission_takes_the_city_the_page_names_and_its_full_name(tmp_path):
    text = "市商务委2023年度法治政府建设情况报告\n2023年，市商务委深入实施《上海法治政府建设规划》，优化商务环境。\n"
    report = _read(tmp_path, text + BODY)
    assert (report.agency, report.city) == ("上海市商务委员会", "上海市")
    assert "completed" in report.sources["agency"]


def test_an_autonomous_county_named_short_is_the_table_s_one_county_of_that_name(tmp_path):
    text = "2022年在县委、县政府的坚强领导下，镇宁自治县坚持以习近平新时代中国特色社会主义思想为指导。\n"
    report = _read(tmp_path, text + BODY)
    assert report.agency == "镇宁布依族苗族自治县人民政府"
    assert (report.province, report.city, report.county) == ("贵州省", "安顺市", "镇宁布依族苗族自治县")


def test_an_abbreviated_field_is_spelled_out_only_as_the_text_prints_it():
    from indexer.report.complete import complete_issuer

    printed = "为人力资源和社会保障事业高质量发展提供保障。制定《上城区人力社保局清单》。"
    assert complete_issuer("上城区人力社保局", printed) == "上城区人力资源和社会保障局"
    assert complete_issuer("上城区人力社保局", "制定《上城区人力社保局清单》。") == "上城区人力社保局"
    assert complete_issuer("上城区卫生健康局", printed) == "上城区卫生健康局"      # a known kind stays


def test_a_party_committee_and_a_government_on_lines_above_the_title_issue_it_jointly(tmp_path):
    text = ("宁乡市夏铎铺镇2020年度法治政府建设工作情况的报告\n中共夏铎铺镇党委\n夏铎铺镇人民政府\n"
            "关于夏铎铺镇2020年度法治政府建设工作情况的报告\n")
    report = _read(tmp_path, text + BODY)
    assert report.agency == "中共宁乡市夏铎铺镇委员会、宁乡市夏铎铺镇人民政府"
    assert report.sources["agency"].startswith("joint issuer lines")


@pytest.mark.parametrize("subject, agency", [
    ("宁夏回族自治区党委和政府", "中共宁夏回族自治区委员会、宁夏回族自治区人民政府"),   # 党委: its 委员会
    ("云南省委、省政府", "中共云南省委、云南省人民政府"),                              # as printed
])
def test_a_joint_subject_of_the_opening(tmp_path, subject, agency):
    assert _read(tmp_path, OPENING.format(subject) + "\n" + BODY).agency == agency


def test_we_in_the_presenting_sentence_is_the_body_whose_own_plan_the_report_cites(tmp_path):
    text = ("现将我局2022年法治统计建设情况报告如下：\n制定《江门市新会区统计局2022年双随机抽查计划》，"
            "配合江门市公安局开展检查。\n")
    report = _read(tmp_path, text + BODY)
    assert report.agency == "江门市新会区统计局" and report.county == "新会区"
    lone = _read(tmp_path, "现将我局2022年法治统计建设情况报告如下：\n配合江门市公安局开展检查。\n" + BODY, "b.txt")
    assert lone.agency == ""            # another body's name, not cited as the report's own plan


def test_the_issuer_most_sources_agree_on_wins_then_a_printed_name():
    from indexer.report.vote import Candidate, choose

    strong = Candidate("某某市司法局", "发布机构", 3)
    agreeing = [Candidate("某某市人民政府", "title", 2), Candidate("某某市人民政府", "signature", 2)]
    assert choose([strong, *agreeing])[:2] == ("某某市人民政府", "title")
    assert choose([strong, *agreeing])[2] == ["signature"]
    completed = Candidate("上海市商务委员会", "title (completed)", 3, completed=True)
    assert choose([completed, Candidate("上海市商务局", "opening", 2)])[0] == "上海市商务局"
    joint = Candidate("中共某某县委员会、某某县人民政府", "joint issuer lines", 3)
    assert choose([Candidate("某某县人民政府", "title", 3), joint])[0] == joint.value


# --- year ----------------------------------------------------------------

def test_year_of_an_untitled_report_follows_its_date_not_a_stray_year():
    opening = ["2018年，在全市考评中名列第二。今年以来，我局坚持依法行政。"]
    assert find_year("", opening, "2019-12-18")[0] == 2019
    assert find_year("", opening, "2019-03-18")[0] == 2018        # January–April: the year before
    assert find_year("", opening, "2019-04-30")[0] == 2018
    assert find_year("", opening, None) == (2018, "opening paragraph 1")
    assert find_year("2017年度法治政府建设情况报告", opening, "2019-12-18")[0] == 2017


def test_year_of_a_document_issued_is_its_dates_never_a_cited_one():
    """A regulation, a notice or a 政府工作报告 is known by the year it was issued in:
    no year before it for a date in January to April, and none from its opening,
    whose first year is as often a cited regulation's (or the year under review)."""
    cited = ["（1999年5月23日国务院令第265号发布，根据2013年7月18日国务院令第638号第二次修订）", "第一条 为了奖励……"]
    assert find_year("", cited, None, issued=True) == (None, "")
    assert find_year("", cited, "2017-02-21", issued=True) == (2017, "date (the year it was issued)")
    assert find_year("", cited, "2017-02-21")[0] == 2016        # a report on the past year
    assert find_year("", cited, None) == (1999, "opening paragraph 1")


def test_national_work_reports_read_without_their_manifest_have_their_year_or_none():
    """The reader alone (no manifest.csv): a 政府工作报告 it knows as one has the year
    it was delivered in (the manifest's) or no year, never the year it reviews."""
    folder = shared_path("realworld", "national_work_reports")
    with (folder / "manifest.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    known = [(row, read_report(folder / row["file"])) for row in rows]
    known = [(row, r) for row, r in known if r.doc_type == "政府工作报告"]
    assert len(known) >= 30
    wrong = [(row["file"], r.year) for row, r in known if r.year is not None and str(r.year) != row["year"]]
    assert not wrong and any(r.year for _row, r in known)


# --- document kind -----------------------------------------------------------

@pytest.mark.parametrize("name, kind", [
    ("某某局2023年法治政府建设年度报告", "法治政府建设年度报告"),
    ("某某县2022年法治建设工作报告", "法治政府建设年度报告"),
    ("某某局2021年度依法行政工作报告", "法治政府建设年度报告"),
    ("某某区2020年法治政府建设工作总结", "法治政府建设年度报告"),
    ("2024年政府工作报告（摘要）", "政府工作报告"),
    ("某某县人民政府2023年政府信息公开工作年度报告", "政府信息公开年度报告"),
    ("关于政府工作报告的决议", "其他"),
    ("关于印发《某某市法治政府建设实施方案》的通知", "其他"),
    ("某某局工作简讯", ""),
])
def test_kind_of_a_name(name, kind):
    assert kind_of_name(name) == kind


def test_kind_from_the_opening_when_there_is_no_title():
    assert document_kind("", ["各位代表：现在，我代表市人民政府，向大会报告政府工作，请予审议。"])[0] == "政府工作报告"
    assert document_kind("", ["2023年，我局深入推进法治政府建设，严格依法行政。"])[0] == "法治政府建设年度报告"
    assert document_kind("", ["11月4日晚，国家主席在上海举行宴会。"])[0] == "其他"


def test_a_made_up_title_never_invents_a_kind(tmp_path):
    report = _read(tmp_path, "某某公司召开年度会议，研究部署明年生产经营工作。会议要求各部门抓好落实。\n" * 3)
    assert report.doc_type == "其他"
    assert "法治" not in report.display_title


# --- on a real index -----------------------------------------------------------

@pytest.fixture(scope="module")
def mixed_index(tmp_path_factory):
    """Two real folders of different kinds: 60 rule-of-law reports and the State Council's work reports."""
    folders = [shared_path("real2", "reports"), shared_path("realworld", "national_work_reports")]
    index = tmp_path_factory.mktemp("mixed") / "index"
    result = CliRunner().invoke(main, ["build", *map(str, folders), "--index", str(index), "--no-words",
                                       "--quiet", "--json"])
    assert result.exit_code == 0, result.output
    return index, json.loads(result.output)


def _search(index, *args) -> dict:
    result = CliRunner().invoke(main, ["search", *args, "--index", str(index), "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_build_json_lists_no_report_under_the_coverage_floor(mixed_index):
    assert mixed_index[1]["low_coverage"] == []


def test_doc_type_filter_and_facet(mixed_index):
    index, _ = mixed_index
    every = _search(index, "依法行政")
    counts = {f["value"]: f["count"] for f in every["facets"]["doc_type"]}
    assert set(counts) >= {"法治政府建设年度报告", "政府工作报告"} and sum(counts.values()) == every["total"]
    only = _search(index, "依法行政", "--doc-type", "政府工作报告")
    assert only["total"] == counts["政府工作报告"]
    assert {h["doc_type"] for h in only["hits"]} == {"政府工作报告"}
    typed = _search(index, "依法行政 类型:法治")
    assert typed["total"] == counts["法治政府建设年度报告"]
    assert _search(index, "依法行政 -doc_type:政府工作报告")["total"] == every["total"] - counts["政府工作报告"]


def test_report_cards_count_rule_of_law_reports_only(mixed_index):
    index, _ = mixed_index
    result = CliRunner().invoke(main, ["cards", "--index", str(index), "--format", "json"])
    assert result.exit_code == 0, result.output
    cards = json.loads(result.output)
    assert len(cards) == 60           # the sixty of real2, none of the 52 work reports
    assert {c["doc_type"] for c in cards} == {"法治政府建设年度报告"}


def test_an_official_documents_title_is_found_and_dates_it_by_issue():
    """A policy document's title as GB/T 9704 shapes it (issuer, 关于 and the matter,
    the kind), found when no line names a report; a notice is its issue date's year."""
    report = read_report(shared_path("realworld", "policy_documents") / "20_Zhejiang_2016_170472.txt")
    assert report.title == "浙江省人民政府关于印发浙江省盐业体制改革实施方案的通知"
    assert report.agency == "浙江省人民政府" and (report.date, report.year) == ("2016-12-28", 2016)
    assert report.sources["year"] == "date (the year it was issued)"


def test_a_signature_date_written_with_letter_os_stands_alone_and_reads():
    """``二OO七年二月六日`` (letters for the zeros) is a date line like ``二〇〇七年…``."""
    raw = "某某市财政局关于做好某项工作的通知\n各区县财政局：\n现将有关事项通知如下。\n某某市财政局\n二ＯＯ七年二月六日\n附件"
    paragraphs = clean_paragraphs(raw)
    assert "二ＯＯ七年二月六日" in paragraphs
    meta = find_metadata(paragraphs, raw, {})
    assert (meta.date, meta.year, meta.sources["date"]) == ("2007-02-06", 2007, "signature")
