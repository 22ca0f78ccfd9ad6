"""Web-page chrome and licence boilerplate that survived as text.

Government sites wrap every article in the same furniture: a bar of service
links (``智能问答| 无障碍 | 移动版``), a byline with view counts
(``来源:本网 时间:… 浏览量``), font-size and share buttons, and a footer naming the
site's sponsor with its ICP and 公安 registration numbers.  Wikisource exports end
with a public-domain notice.  None of it is the report's own text.
"""
from __future__ import annotations

import re

from .patterns import (
    INDEX_BLOCK_LABELS,
    INDEX_DATE_LABELS,
    INDEX_HEAD_LABELS,
    INDEX_SOURCE_LABELS,
)

# Whole lines that are page furniture.  Anchored so a sentence of the report
# that merely mentions 网站 or 打印 is never dropped.
_CHROME_LINE = re.compile(
    r"""^(
      (字号|字体)[:：]?\s*[【\[]?\s*(大\s*中\s*小)?.*?[】\]]?\s*$
    | 【\s*字体[:：]?.*】.*$
    | (转载)?分享(到)?[:：]?\s*(微信|微博|QQ|QQ空间|\s)*$
    | (【?\s*(打印(本页)?|关闭(窗口)?|收藏|返回顶部|我要纠错)\s*】?\s*)+$
    | (浏览次数|浏览量|阅读量|点击数|访问量)[:：].*$
    | .*(来源|发布时间|发布日期|时间)[:：].*(浏览|点击|阅读|字体|访问).*$
    | (来源|信息来源|发布时间|发布日期)[:：]\s*\S{0,30}$
    | (文号|发文字号)\s*[:：]\s*$
    | (本文链接|本文关键词|原文链接|文章来源|责任编辑|编辑|审核|校对)[:：].*$
    | (相关文件|文档附件|相关附件|附件下载|相关链接|相关阅读|相关新闻|扫一扫.*|手机扫码.*|上一篇.*|下一篇.*)[:：]?\s*$
    | (文件下载及相关附件|全真版)[:：].*$
    | (主办单位|承办单位|管理维护|主管单位|技术支持|运行维护|网站标识码|网站报障|联系我们|网站地图|隐私(申明|声明)|版权所有|Copyright|©).*$
    | .*(ICP备|公网安备|ICP证)\s*\S*\d+.*$
    # breadcrumbs: 当前位置：… / 您当前的位置 / 首页 > 政务公开 > …
    | (您(当前)?的?)?(当前|现在|所在)的?(所在)?位置\s*[:：>＞].*$
    | (首页|网站首页|主页)?\s*[>＞»›]\s*\S.*[>＞»›]?.*$
    # site clocks and greetings: 今天是… / 2026年1月2日 星期五 农历冬月十四
    | (今天是|今日是|今天[:：]|当前时间|北京时间|欢迎(您)?(访问|来到|光临)).*$
    | ((19|20)\d{2}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日|\d{4}[-/]\d{1,2}[-/]\d{1,2})?
      \s*(星期|礼拜|周)[一二三四五六日天](\s*农历.*)?$
    | 农历\S*\s*\S{0,20}$
    # login bars, back links, bare download and attachment labels
    | ((登录|注册|退出|个人中心|用户中心|会员登录)\s*[|｜/]?\s*)+$
    | (返回首页|返回顶部|返回列表|返回上一页|返回)\s*$
    | (文件下载|附件下载|下载附件|附件|相关附件)\s*[:：]?\s*$
    # accessibility and language switches: 无障碍 | 繁體 | English
    | (无障碍|无障碍浏览|繁體|繁体|简体|长者模式|适老化)
      (\s*[|｜丨/]?\s*(无障碍|无障碍浏览|繁體|繁体|简体|English|长者模式|适老化|移动版|手机版))*\s*$
    # view counters and watermarks
    | (本页|本文|文章)?(浏览|阅读|点击|访问)(次数|量|数|率)?\s*[:：]\s*\d*\s*(次)?$
    | \S{0,6}水印.{0,20}$
    # bylines: 作者：… / 2024年1月5日 来源：本网 / 2025-04-27 10:14 黑龙江省人民政府网
    | (作者)\s*[:：][^。；，！？]{0,60}$
    | (19|20)\d{2}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日(\s+\d{1,2}:\d{2}(:\d{2})?)?
      \s+(来源|作者|发布|浏览|点击|字号|字体|信息来源)[:：\s].{0,40}
    | [^\s。；，！？]{0,20}\s*(19|20)\d{2}[-/.]\d{1,2}[-/.]\d{1,2}(\s+\d{1,2}:\d{2}(:\d{2})?)?
      \s*[^\s。；，！？]{0,20}
    | (首页|English|繁體版|简体版|无障碍|移动版|智能问答)(\s*[|｜丨]\s*\S{1,8})*\s*[|｜丨]?\s*$
    | (\[\s*(放大字体|缩小字体|打印|关闭窗口|返回顶部|默认|收藏)\s*\]\s*)+
    | (扫描|扫一扫|微信扫一扫)(二维码)?\s*(关注我们|分享|手机阅读)?.*
    | (\d{1,2}\s*[.．、]\s*)?\S{1,60}\.(doc|docx|pdf|rar|zip|xls|xlsx|wps|ofd)
    | Public\s+domain | true | false
    )$""",
    re.VERBOSE | re.IGNORECASE,
)

# A navigation bar: three or more short items between bars.
_BAR = re.compile(r"\s*[|｜丨]\s*")

# A salutation alone on its line (``各位代表：``) opens a speech: not a passage,
# but the paragraph before it has ended.
_SALUTATION = re.compile(r"^(各位代表|各位委员|同志们|各位领导|同志们、朋友们)\s*[，,：:！!]?$")
# Index-block lines that a document's own body may also hold (a notice listing
# the documents it repeals names each one's 文号): chrome only above the body.
_HEAD_ONLY = re.compile(rf"^({'|'.join(INDEX_HEAD_LABELS)})\s*[:：]")
_INDEX_LINE = re.compile(rf"^({'|'.join(INDEX_BLOCK_LABELS)})\s*[:：].*$")
# A byline: a date or source label with a short value and no sentence in it.
_BYLINE_LINE = re.compile(rf"^({'|'.join(INDEX_DATE_LABELS + INDEX_SOURCE_LABELS)})\s*[:：][^。；，！？]{{0,60}}$")

_LICENCE_START = re.compile(
    r"(本作品(是|来自|在全世界)|注：中文维基文库社群认为|本模板所指|这部作品在.*属于公有领域)"
)


# Index blocks and menus are often printed as bullet lists.
_BULLET = re.compile(r"^[•·●▪◆■◇□\-*]\s*")


def is_chrome_line(line: str) -> bool:
    """True for one line of page furniture (navigation, byline, footer)."""
    if len(line) > 120:
        return False
    line = _BULLET.sub("", line.strip())
    if _CHROME_LINE.match(line) or _INDEX_LINE.match(line) or _BYLINE_LINE.match(line):
        return True
    return _is_nav_bar(line)


def is_salutation(line: str) -> bool:
    """True for an address to the audience on a line of its own (``同志们：``)."""
    return bool(_SALUTATION.match(line.strip()))


def is_head_chrome(line: str) -> bool:
    """A line of the 信息公开 index block, chrome when it stands above the body."""
    return bool(_HEAD_ONLY.match(_BULLET.sub("", line.strip())))


def _is_nav_bar(line: str) -> bool:
    items = [item for item in _BAR.split(line) if item]
    return line.count("|") + line.count("｜") + line.count("丨") >= 2 and len(items) >= 3 \
        and all(len(item) <= 8 for item in items)


def strip_trailing_boilerplate(paragraphs: list[str]) -> list[str]:
    """Drop a licence notice (and anything after it) in the second half of a
    text, also when a break glued it to the end of the last real paragraph."""
    for index in range(len(paragraphs) // 2, len(paragraphs)):
        found = _LICENCE_START.search(paragraphs[index])
        if found:
            head = paragraphs[index][:found.start()].strip()
            return paragraphs[:index] + ([head] if head else [])
    return paragraphs


# --- chrome at the start of a line that goes on with text -----------------
# A scraper may save a page's byline, breadcrumb and share bar on the same line
# as the article (``当前位置： 首页 > … 时间：2023-03-31 10:09 微信 微博 QQ空间 根据…``).
# Only the chrome goes; the text after it stays.  The chrome is read token by
# token (tokens are what the page separated by spaces), and stops at the first
# token that is not chrome.
_PREFIX_LABELS = sorted(set(INDEX_DATE_LABELS + INDEX_SOURCE_LABELS + INDEX_BLOCK_LABELS + INDEX_HEAD_LABELS + (
    "作者", "浏览次数", "浏览量", "阅读量", "访问量", "点击数", "点击率", "阅读", "字号", "字体", "字体大小", "所属单位",
    "栏目", "当前位置", "您的位置", "您当前的位置", "您现在的位置", "当前所在位置", "所在位置", "现在位置", "责任编辑",
    "编辑", "审核", "校对", "分享到", "分享")), key=len, reverse=True)
_LABEL_TOKEN = re.compile(rf"^[【\[]?({'|'.join(_PREFIX_LABELS)})\s*[:：]?[】\]]?(?P<value>.*)$")
_OPENS_CHROME = re.compile(rf"^[【\[]?({'|'.join(_PREFIX_LABELS)})\s*[:：]|^(首页|网站首页|主页)$|^(首页|网站首页)?[>＞»›]")
_DATE_TOKEN = re.compile(r"^[\[(（【]?((19|20)\d{2}[-/.年]\d{1,2}[-/.月]\d{1,2}日?|\d{1,2}:\d{2}(:\d{2})?|\d{1,2}时\d{1,2}分)[\])）】]?$")
_WIDGET_TOKEN = re.compile(
    r"^[【\[]?(微信|微博|QQ|QQ空间|新浪微博|腾讯微博|微信朋友圈|朋友圈|打印|打印本页|关闭|关闭窗口|收藏|大|中|小|默认|"
    r"放大|缩小|分享|分享到|【|】|\[|\]|[>＞»›|｜丨\-—]|\d+|次|×|X|x|朗读|保护视力色|我要纠错)[】\]]?[:：]?$",
    re.IGNORECASE)
_SENTENCE = re.compile(r"[。；！？，,]")
_CRUMB_SEPARATOR = re.compile(r"[>＞»›]")


def split_chrome_prefix(line: str) -> tuple[str, str]:
    """(the chrome a line opens with, the text after it).  ``("", line)`` when
    the line does not open with a byline, breadcrumb or share bar."""
    tokens = re.split(r"([\s\u3000]+)", line.strip())
    words = tokens[0::2]
    if not words or not _OPENS_CHROME.match(words[0]):
        return "", line
    count, expect_value, after_separator = 0, False, False
    for word in words:
        label = _LABEL_TOKEN.match(word)
        if label and not _SENTENCE.search(label.group("value")) and len(label.group("value")) <= 30:
            expect_value, after_separator = not label.group("value"), bool(_CRUMB_SEPARATOR.search(word))
        elif _DATE_TOKEN.match(word) or _WIDGET_TOKEN.match(word):
            after_separator = bool(_CRUMB_SEPARATOR.search(word))
            expect_value = expect_value and _DATE_TOKEN.match(word) is None and word in ("【", "[")
        elif (expect_value or after_separator or _CRUMB_SEPARATOR.search(word)) and len(word) <= 30 \
                and not _SENTENCE.search(word):
            # a label's value, or an item of a breadcrumb (``政务公开``, ``首页>政务公开>通知``)
            expect_value, after_separator = False, bool(_CRUMB_SEPARATOR.search(word[-1:]))
        else:
            break
        count += 1
    if count == len(words) or count == 0:
        return (line, "") if count else ("", line)
    cut = sum(len(t) for t in tokens[:2 * count])
    return line[:cut].strip(), line[cut:].strip()


def holds_text(rest: str) -> bool:
    """Whether what follows a line's chrome is text of the report (a sentence
    or a run of words), not more furniture."""
    return len(re.findall(r"[\u4e00-\u9fff]", rest)) >= 8 and bool(_SENTENCE.search(rest) or len(rest) >= 30)
