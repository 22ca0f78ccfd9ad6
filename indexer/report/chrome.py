"""Web-page chrome and licence boilerplate that survived as text.

Government sites wrap every article in the same furniture: a bar of service
links (``智能问答| 无障碍 | 移动版``), a byline with view counts
(``来源:本网 时间:… 浏览量``), font-size and share buttons, and a footer naming the
site's sponsor with its ICP and 公安 registration numbers.  Wikisource exports end
with a public-domain notice.  None of it is the report's own text.
"""
from __future__ import annotations

import re

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
    | (索引号|主题分类|发布机构|成文日期|发文机关|体裁分类|组配分类|服务对象|主题词|生效日期|废止日期|有效性)[:：].*$
    | (本文链接|本文关键词|原文链接|文章来源|责任编辑|编辑|审核|校对)[:：].*$
    | (相关文件|文档附件|相关附件|附件下载|相关链接|相关阅读|相关新闻|扫一扫.*|手机扫码.*|上一篇.*|下一篇.*)[:：]?\s*$
    | (文件下载及相关附件|全真版)[:：].*$
    | (主办单位|承办单位|管理维护|主管单位|技术支持|运行维护|网站标识码|网站报障|联系我们|网站地图|隐私(申明|声明)|版权所有|Copyright|©).*$
    | .*(ICP备|公网安备|ICP证)\s*\S*\d+.*$
    | 当前位置[:：].*$
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

_LICENCE_START = re.compile(
    r"(本作品(是|来自|在全世界)|注：中文维基文库社群认为|本模板所指|这部作品在.*属于公有领域)"
)


def is_chrome_line(line: str) -> bool:
    """True for one line of page furniture (navigation, byline, footer)."""
    if len(line) > 120:
        return False
    if _CHROME_LINE.match(line):
        return True
    return _is_nav_bar(line)


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
