"""The data the reader produces and the index stores.

read → clean → structure → passages all end in a :class:`Report` holding its
:class:`Heading` tree and its :class:`Passage` list.  Everything here is plain data
(``to_dict`` gives JSON-ready dicts) so the CLI, the index and the web app share it.

Glossary: three things are called "section", and the Python names say which.

- **category**: one of :data:`CATEGORIES` (主要举措和成效, 存在的不足和原因 …), the
  facet a passage falls in.  The user's filter ``section:问题`` / ``章节:问题``, the
  URL parameter ``section=`` and the CLI's ``--section`` name a category
  (:func:`resolve_category`); a report's ``"sections"`` (JSON, export column) are
  the categories it has passages in.
- **heading path**: :attr:`Passage.heading_path`, the headings above a passage
  joined for display (``一、… › （一）…``); :meth:`Report.heading_paths`.
- **"section" the stored key**: the name the heading path goes by outside Python:
  a hit's and a stored passage's JSON key ``"section"``, the index's ``section``
  field / column / vocabulary and the cluster's ``section`` and ``section_norm``
  columns.  These stay as they are (indexes built before still open); the one
  mapping between the two names is :meth:`Passage.to_dict` / :meth:`Passage.from_dict`.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field

# Section categories follow what the 2019 《法治政府建设与责任落实督察工作规定》
# asks an annual report to contain.  The short aliases are what users type in a
# filter (``section:问题``).
CATEGORY_MEASURES = "主要举措和成效"
CATEGORY_PROBLEMS = "存在的不足和原因"
CATEGORY_DUTY = "第一责任人职责"
CATEGORY_PLANS = "下一年度安排"
CATEGORY_OTHER = "其他"
CATEGORIES = (CATEGORY_MEASURES, CATEGORY_PROBLEMS, CATEGORY_DUTY, CATEGORY_PLANS, CATEGORY_OTHER)
CATEGORY_ALIASES = {
    "成效": CATEGORY_MEASURES, "举措": CATEGORY_MEASURES, "主要举措": CATEGORY_MEASURES,
    "问题": CATEGORY_PROBLEMS, "不足": CATEGORY_PROBLEMS, "存在问题": CATEGORY_PROBLEMS,
    "责任": CATEGORY_DUTY, "第一责任人": CATEGORY_DUTY, "职责": CATEGORY_DUTY,
    "下一步": CATEGORY_PLANS, "安排": CATEGORY_PLANS, "计划": CATEGORY_PLANS, "打算": CATEGORY_PLANS,
    "其他": CATEGORY_OTHER,
}


# Ids as ``corpus.make_report_id`` and ``passages.split_passages`` make them:
# ``r2022-0177ae4c5d`` (``r0-…`` when the report states no year, a ``-2`` suffix
# when two reports share agency, year and title), passages add ``-<ordinal:04d>``.
REPORT_ID_PATTERN = r"r\d{1,4}-[0-9a-f]{10}(?:-\d{1,4})?"
PASSAGE_ID_PATTERN = rf"({REPORT_ID_PATTERN})-(\d{{4,6}})"


def resolve_category(name: str) -> str | None:
    """Map a user's section filter (``问题``, ``下一步``, a full name) to a category."""
    name = name.strip()
    if name in CATEGORIES:
        return name
    if name in CATEGORY_ALIASES:
        return CATEGORY_ALIASES[name]
    for category in CATEGORIES:
        if name and name in category:
            return category
    return None


@dataclass
class Heading:
    level: int            # 1 = top level (一、), deeper numbers nest
    title: str            # as shown, numbering included
    category: str         # one of CATEGORIES (inherited from the top-level heading)
    anchor: str = ""      # element id in the report page: ``<report_id>-h<n>``
    passage_ordinal: int = 0  # ordinal of the first passage under it


@dataclass
class Passage:
    id: str               # ``<report_id>-<ordinal:04d>``: stable across rebuilds
    ordinal: int          # 1-based place in the report
    text: str             # display text, exactly as cleaned
    heading_path: str     # heading path for display, ``一、… › （一）…`` (stored as "section")
    category: str         # one of CATEGORIES, for the facet
    heading: bool = False  # True when the passage is itself a heading line
    start: int = 0        # character offset in Report.text

    def to_dict(self) -> dict:
        """The JSON-ready dict, with the heading path under its stored key ``"section"``."""
        return {STORED_HEADING_PATH_KEY if k == "heading_path" else k: v for k, v in asdict(self).items()}

    @classmethod
    def from_dict(cls, data: dict) -> "Passage":
        """The passage a :meth:`to_dict` dict (heading path under ``"section"``) describes."""
        data = dict(data)
        data["heading_path"] = data.pop(STORED_HEADING_PATH_KEY)
        return cls(**data)


# The key a passage's heading path is stored and sent under (JSON, index fields):
# public, so it keeps its old name.
STORED_HEADING_PATH_KEY = "section"


@dataclass
class Report:
    id: str
    source: str           # file name it was read from
    fmt: str              # txt, html, docx, pdf
    text: str             # cleaned full text (passages joined by blank lines)
    title: str = ""
    agency: str = ""
    province: str = ""
    city: str = ""
    county: str = ""
    year: int | None = None
    date: str | None = None   # ISO YYYY-MM-DD when the report states one
    source_url: str = ""
    agency_kind: str = ""     # 卫生健康, 公安, 人民政府, 街道/乡镇 … (``report.issuer.AGENCY_KINDS``)
    agency_level: str = ""    # 国家, 省, 市, 县, 乡镇街道; empty when unknown
    doc_type: str = ""        # one of DOC_TYPES (``report.kind``); empty only for reports read before it existed
    # Share of the source's CJK characters that reached the passages (0–1); None when not measured.
    coverage: float | None = None
    # Where each metadata value came from: ``{"agency": "发布单位 line 5", "date": "signature"}``.
    sources: dict = field(default_factory=dict)
    headings: list[Heading] = field(default_factory=list)
    passages: list[Passage] = field(default_factory=list)
    checksum: str = ""    # of the cleaned text, to see a changed file on rebuild

    def to_dict(self, with_passages: bool = True) -> dict:
        data = asdict(self)
        if not with_passages:
            data.pop("passages")
            data.pop("text")
        else:
            data["passages"] = [p.to_dict() for p in self.passages]
        return data

    # What the index needs of a report besides its table row.  A report reused
    # from the serving generation (``store.reader.stored_report``) answers these
    # without reading its text back.
    def passage_count(self) -> int:
        return len(self.passages)

    def character_count(self) -> int:
        return sum(len(p.text) for p in self.passages)

    def heading_paths(self) -> set[str]:
        return {p.heading_path for p in self.passages}

    def rename(self, new_id: str) -> None:
        """Give the report another id; its passages' ids and headings' anchors follow."""
        for passage in self.passages:
            passage.id = new_id + passage.id[len(self.id):]
        for heading in self.headings:
            heading.anchor = new_id + heading.anchor[len(self.id):]
        self.id = new_id

    @property
    def display_title(self) -> str:
        """The title to show: the report's own, or one made from its issuer and
        year when the page printed none (see :attr:`title_made_up`)."""
        return self.title or made_up_title(self.agency, self.year, self.doc_type)

    @property
    def title_made_up(self) -> bool:
        return not self.title

    @classmethod
    def from_dict(cls, data: dict) -> "Report":
        data = dict(data)
        data["headings"] = [Heading(**h) for h in data.get("headings", [])]
        data["passages"] = [Passage.from_dict(p) for p in data.get("passages", [])]
        return cls(**data)


MADE_UP_MARK = "〔无标题〕"

# The kinds of document a folder of reports holds (``report.kind.document_kind``).
# Report cards, deadlines and the "lacking 存在的不足" counts apply to the first only.
DOC_TYPE_RULE_OF_LAW = "法治政府建设年度报告"
DOC_TYPE_WORK_REPORT = "政府工作报告"
DOC_TYPE_DISCLOSURE = "政府信息公开年度报告"
DOC_TYPE_OTHER = "其他"
DOC_TYPES = (DOC_TYPE_RULE_OF_LAW, DOC_TYPE_WORK_REPORT, DOC_TYPE_DISCLOSURE, DOC_TYPE_OTHER)
# Coverage below this share means the cleaner lost the report's text: build and inspect warn.
LOW_COVERAGE = 0.6


def made_up_title(agency: str, year: int | None, doc_type: str = DOC_TYPE_RULE_OF_LAW) -> str:
    """A display title for a report whose page shows none, marked as made up:
    ``〔无标题〕龙岩市永定区卫生健康局2025年度法治政府建设报告``.  It names the
    report's kind only when the reader established one (never invents one:
    a document of another or no known kind is ``…年度文件``)."""
    year_part = f"{year}年度" if year else ""
    kind = {DOC_TYPE_RULE_OF_LAW: "法治政府建设报告", DOC_TYPE_WORK_REPORT: "政府工作报告",
            DOC_TYPE_DISCLOSURE: "政府信息公开工作年度报告"}.get(doc_type, "文件")
    return f"{MADE_UP_MARK}{agency or '发布机关不详'}{year_part}{kind}"


@dataclass
class Skipped:
    path: str
    reason: str

    def __str__(self) -> str:
        return f"skipped {self.path}: {self.reason}"


@dataclass
class Duplicate:
    kept: str
    dropped: str

    def __str__(self) -> str:
        return f"duplicate {self.dropped}: same report as {self.kept} (kept {self.kept})"
