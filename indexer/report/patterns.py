"""Line shapes shared by the cleaner (which must not run a heading into the
next paragraph) and the structure finder (which builds the heading tree)."""
import re

CN_NUMERAL = "一二三四五六七八九十百零〇"

# Numbered headings and items: 第一部分 一、 （一） 1. （1） ①
NUMBERED = re.compile(
    rf"^(第[{CN_NUMERAL}]+[部分章节条]|[{CN_NUMERAL}]+\s*[、.．]|[（(]\s*[{CN_NUMERAL}\d]+\s*[）)]"
    r"|\d{1,2}\s*[.．、](?!\d)|[①②③④⑤⑥⑦⑧⑨⑩])"
)
# Unnumbered headings end with one of these words: 存在问题, 下一步工作打算, 结束语.
UNNUMBERED_HEADING = re.compile(
    r"(情况|问题|不足|打算|安排|计划|成效|举措|思路|职责|任务|做法|成绩|经验|措施|总结|薄弱环节|"
    r"工作目标|主要工作|结束语|前言|引言|说明)$"
)
# How the name of an administrative division ends (省, 市, 区, 县, 自治州, 盟, 旗 …).
PLACE_ENDINGS = "省市区县州盟旗"
AGENCY_SUFFIX = r"(?:局|委员会|委|厅|办公室|办|人民政府|政府|法院|检察院|院|中心|监督所|所|部|署|行|会)"
AGENCY_LINE = re.compile(rf"^[\u4e00-\u9fff（）()\s]{{2,30}}?{AGENCY_SUFFIX}$")
# A date as a signature prints it, in digits or in Chinese numerals (groups:
# year, month, day): the cleaner keeps a line of one apart, the metadata
# finder reads the report's date from it.
DATE_DIGITS = r"((?:19|20)\d{2})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日"
# A year's digits in numerals; some pages write its zero as a letter O (``二OO七年``).
CN_YEAR_DIGITS = "〇○零OＯ一二三四五六七八九"
DATE_NUMERALS = rf"([{CN_YEAR_DIGITS}]{{4}})年([一二三四五六七八九十]{{1,3}})月([一二三四五六七八九十]{{1,3}})日"
DATE_LINE = re.compile(rf"^(?:{DATE_DIGITS}|{DATE_NUMERALS})$")
# The kinds of document a title names, one list for the cleaner (a title line
# stands alone), the title finder and the structure finder.
DOCUMENT_KINDS = "报告|总结|意见|通知|通报|办法|规定|方案|决定|决议|公告|通告|批复|纲要|条例|规则|细则|函|令"
TITLE_END = re.compile(rf"({DOCUMENT_KINDS})$")
# A title's last words, ``…情况`` included (``保定市2021年度法治政府建设情况``).
TITLE_TAIL = re.compile(rf"({DOCUMENT_KINDS}|情况)$")
DOCUMENT_NUMBER = re.compile(r"[〔\[［(（]\s*\d{4}\s*[〕\]］)）]\s*\d+\s*号$|第\s*\d+\s*号$")
BRACKETED = re.compile(r"^[（(【\[].*[）)】\]]$")
# A page title's tail naming the site's column and name: ``… - 规划计划 - …政府门户网站``.
SITE_SUFFIX = re.compile(r"(?:\s+[-—_|｜]\s+[^-—_|｜]{1,20})*\s*[-—_|｜]\s*[^-—_|｜\s]{2,30}(?:网站|门户|政府网|网)$")
# A title names a kind of document somewhere (``…情况报告``, ``…工作总结``).
TITLE_WORDS = re.compile(rf"{DOCUMENT_KINDS}|情况")

# The 信息公开 index block and the byline, one list for the reader of what a page
# declares (``declared.py`` takes the values) and the chrome filter (``chrome.py``
# drops the lines, so they never become passages).
INDEX_AGENCY_LABELS = ("发文机关", "发布机构", "发布单位", "发文单位")
INDEX_DATE_LABELS = ("成文日期", "发文日期", "印发日期", "发布日期", "发布时间", "公开日期", "公开时间", "日期", "时间")
# Dates a page prints under other labels: below 发布日期, used when nothing better says.
INDEX_OTHER_DATE_LABELS = ("生成日期", "更新时间", "更新日期", "上传时间", "录入时间", "发稿时间", "信息时间", "文章时间",
                           "发布于", "发表时间", "公布日期", "公布时间")
INDEX_DATE_LABELS += INDEX_OTHER_DATE_LABELS
# The document's own date (like a signature), above a page's publication time.
INDEX_DOCUMENT_DATE_LABELS = ("成文日期", "发文日期", "印发日期")
INDEX_SOURCE_LABELS = ("来源", "信息来源", "文章来源", "稿件来源")
# Lines that are chrome wherever they stand.
INDEX_BLOCK_LABELS = ("索引号", "主题分类", "内容分类", "发布机构", "发布单位", "成文日期", "发文日期", "发文机关",
                      "体裁分类", "组配分类", "服务对象", "主题词", "生效日期", "废止日期", "有效性", "公开方式",
                      "公开范围", "公开时限", "信息发布人", "发布人", "信息来源", "文件登记号", "有效性/截止日期",
                      "截止日期", "失效日期", "印发日期", "公开日期")
# Chrome only above the body: a notice listing the documents it repeals names each one's 文号.
INDEX_HEAD_LABELS = ("文号", "发文字号", "发文单位", "栏目", "所属栏目", "原文链接", "原文地址", "标题")
