"""Cleaning keeps every sentence and removes only conversion and web debris."""
import re

from indexer.report.clean import clean_paragraphs, clean_text
from indexer.read import read_file


def test_page_break_inside_a_word_is_joined(sample_dir):
    text = clean_text(read_file(sample_dir / "003_c589ac335115484d.txt").text)
    assert "主要领导亲自抓、分管领导具体抓" in text
    assert "落实“谁执法谁普法”的普法责任制" in text


def test_title_split_over_two_lines_is_joined(sample_dir):
    paragraphs = clean_paragraphs(read_file(sample_dir / "000_f7229b1349f031b6.txt").text)
    assert paragraphs[0] == "潮州市湘桥区卫生健康局2022年法治政府建设年度报告"


def test_web_chrome_is_dropped_but_report_kept(sample_dir):
    text = clean_text(read_file(sample_dir / "002_fe0e8058e257553a.txt").text)
    for chrome in ("智能问答", "浏览量", "转载分享", "关于我们", "主办单位", "ICP备", "公网安备", "网站标识码", "文档附件"):
        assert chrome not in text
    assert text.startswith("阳江市卫生健康局2022年法治政府建设年度报告")
    assert "继续组织实施“双随机”监督抽检工作" in text
    assert text.rstrip().endswith("2022年12月2日")


def test_conversion_artifacts_are_dropped():
    raw = "# 标题报告\n\n---\n\n正文第一段[bookmark: _GoBack]。\n\n- 3 -\n\n第二段在这\n\n里继续。\n"
    assert clean_paragraphs(raw) == ["标题报告", "正文第一段。", "第二段在这里继续。"]


def test_spacing_and_width_forms_are_left_as_published(sample_dir):
    text = clean_text(read_file(sample_dir / "003_c589ac335115484d.txt").text)
    assert "2023 年以来" in text           # search folds this, display does not


def test_no_sentence_is_lost(sample_dir):
    """Every CJK character of the body survives cleaning (chrome lines aside)."""
    for path in sample_dir.glob("*.txt"):
        raw = read_file(path).text
        cleaned = re.sub(r"\s", "", clean_text(raw))
        for line in raw.split("\n"):
            line = re.sub(r"\s|\[bookmark:[^\]]*\]|^#+|^-+$", "", line)
            if len(line) > 40 and "|" not in line and "ICP" not in line:
                assert line in cleaned, (path.name, line[:30])


def test_wiki_link_words_are_rejoined():
    raw = "各位代表：\n\n要维护\n法律\n、\n法规\n的权威，依照《\n中华人民共和国宪法\n》办事。\n"
    # The salutation alone on its line is no passage (issue 12).
    assert clean_paragraphs(raw) == ["要维护法律、法规的权威，依照《中华人民共和国宪法》办事。"]


def test_numbered_item_after_a_cut_sentence_starts_a_new_paragraph():
    raw = "（七）抓牢法治建设职责。一是没有发生安全事故，\n\n（八）依法履职，全力提升基层服务能力。借助专项债券。"
    assert len(clean_paragraphs(raw)) == 2


def test_a_date_alone_on_its_line_starts_a_paragraph_of_its_own():
    """A signature's date never runs on from the unpunctuated line above it (the
    signer's name) nor into the line below (the regulation's title); a date that
    finishes a broken sentence (``…定于`` / ``2023年3月5日`` / ``召开。``) still runs on."""
    raw = ("《某某省试点办法》已经省人民政府常务会议审议通过，现予公布。\n"
           "省长　张三\n二○○五年十一月二十一日\n某某省试点办法\n第一条　为了节约资源，制定本办法。")
    assert clean_paragraphs(raw)[1:4] == ["省长　张三", "二○○五年十一月二十一日", "某某省试点办法"]
    assert clean_paragraphs("全市法治工作会议定于\n2023年3月5日\n召开，会期一天。") == ["全市法治工作会议定于2023年3月5日召开，会期一天。"]
