"""Vocabularies for demo enterprises: places, company names, people, phones and texts.

Everything here is pure: callers pass the random generator, so one seed fixes every value.
"""

from __future__ import annotations

import bisect
import itertools
import random
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

T = TypeVar("T")
T_co = TypeVar("T_co", covariant=True)


class Weighted(Generic[T_co]):
    """A weighted choice with its cumulative table built once: ``random.choices`` rebuilds
    it on every call, which shows at a million rows."""

    __slots__ = ("_cumulative", "_total", "_values")

    def __init__(self, pairs: Sequence[tuple[T_co, float]]) -> None:
        self._values = tuple(value for value, _ in pairs)
        self._cumulative = tuple(itertools.accumulate(weight for _, weight in pairs))
        self._total = self._cumulative[-1]

    @property
    def values(self) -> tuple[T_co, ...]:
        return self._values

    def pick(self, rng: random.Random) -> T_co:
        return self._values[bisect.bisect_right(self._cumulative, rng.random() * self._total)]


def draw(rng: random.Random, low: int, high: int) -> int:
    """An integer in [low, high], like ``rng.randint`` at a quarter of its cost."""
    return low + int(rng.random() * (high - low + 1))


def one_of(rng: random.Random, options: Sequence[T]) -> T:
    """Like ``rng.choice``, cheaper: the demo draws millions of these."""
    return options[int(rng.random() * len(options))]


@dataclass(frozen=True, slots=True)
class Place:
    zone: str
    district: str  # province-level city and district, the prefix an address mask keeps
    division: str  # GB/T 2260 code of the district: the registration authority in a USCC
    roads: tuple[str, ...]
    bonded: bool  # bonded zones hold most imported goods under customs control


PLACES: tuple[Place, ...] = (
    Place(
        "Lingang Comprehensive Industrial Zone",
        "上海市浦东新区",
        "310115",
        ("江山路", "云鹃路", "飞渡路", "层林路", "新元南路", "正茂路", "临港大道", "泥城路"),
        bonded=False,
    ),
    Place(
        "Lingang Heavy Equipment Industrial Zone",
        "上海市浦东新区",
        "310115",
        ("两港大道", "新四平公路", "沪城环路", "秋涟河路", "鸿音路", "万祥路", "业盛路"),
        bonded=False,
    ),
    Place(
        "Yangshan Special Comprehensive Bonded Zone",
        "上海市浦东新区",
        "310115",
        ("申港大道", "同顺大道", "顺通路", "洋山港路", "芦茄路", "海港大道"),
        bonded=True,
    ),
    Place(
        "Waigaoqiao Bonded Zone",
        "上海市浦东新区",
        "310115",
        ("日京路", "富特北路", "德堡路", "基隆路", "英伦路", "华京路", "杨高北路"),
        bonded=True,
    ),
    Place(
        "Lingang Fengxian Park",
        "上海市奉贤区",
        "310120",
        ("正博路", "航谊路", "楚工路", "展工路", "望园路", "浦卫公路"),
        bonded=False,
    ),
)

ZONE_WEIGHTS: Weighted[Place] = Weighted(
    tuple(zip(PLACES, (0.30, 0.18, 0.14, 0.16, 0.22), strict=True))
)

# Each industry's words for the trade part of a company name. The lists are disjoint, so a
# name still tells which (prefix, trade name, word, form) produced it: names stay unique.
INDUSTRY_WORDS: dict[str, tuple[str, ...]] = {
    "basic chemicals": ("化工", "化学", "氯碱", "化学原料", "基础化工", "无机化工"),
    "fine chemicals": ("精细化工", "精细化学品", "新材料", "化学科技", "特种化学品", "功能材料"),
    "petrochemicals": ("石化", "石油化工", "石化科技", "能源化工", "炼化", "烯烃"),
    "pharmaceutical intermediates": (
        "医药化工",
        "生物医药",
        "医药科技",
        "药业",
        "医药中间体",
        "制药",
    ),
    "coatings and dyes": ("涂料", "染料", "颜料", "化工涂料", "涂装材料", "油墨"),
    "hazardous chemicals warehousing": (
        "危险品仓储",
        "化工物流",
        "仓储",
        "供应链",
        "储运",
        "化工仓储",
    ),
}
INDUSTRIES: tuple[str, ...] = tuple(INDUSTRY_WORDS)
WORDS_PER_INDUSTRY = 6

# Bonded zones are where imported chemicals wait for customs: warehouses cluster there.
_INDUSTRY_SHARES = (0.20, 0.24, 0.14, 0.16, 0.12, 0.14)
_BONDED_INDUSTRY_SHARES = (0.10, 0.16, 0.10, 0.10, 0.06, 0.48)
INDUSTRY_WEIGHTS: Weighted[str] = Weighted(tuple(zip(INDUSTRIES, _INDUSTRY_SHARES, strict=True)))
BONDED_INDUSTRY_WEIGHTS: Weighted[str] = Weighted(
    tuple(zip(INDUSTRIES, _BONDED_INDUSTRY_SHARES, strict=True))
)

PRODUCTS: dict[str, tuple[str, ...]] = {
    "basic chemicals": ("烧碱", "液氯", "盐酸", "硫酸", "双氧水", "次氯酸钠"),
    "fine chemicals": ("表面活性剂", "电子化学品", "催化剂", "有机硅单体", "抗氧剂", "增塑剂"),
    "petrochemicals": ("乙烯", "丙烯", "聚乙烯", "聚丙烯", "苯乙烯", "丁二烯"),
    "pharmaceutical intermediates": ("原料药中间体", "手性中间体", "头孢中间体", "维生素中间体"),
    "coatings and dyes": ("工业涂料", "粉末涂料", "分散染料", "有机颜料", "防腐涂料"),
    "hazardous chemicals warehousing": ("危险化学品仓储", "保税仓储", "槽罐车运输", "分装"),
}

_PREFIXES = ("上海", "上海临港")
_FORMS = ("有限公司", "股份有限公司")
# No 临: a trade name starting with it would blur the two prefixes.
_TRADE_CHARACTERS = tuple(
    dict.fromkeys(
        "华恒泰盛鑫宏远达嘉瑞德信诚祥安和丰通海金源宇新天中联科博凯晨昌隆兴荣永福明光东方正立"
        "伟奥森峰星辰龙腾越申浦江润宁佳汇元亿万众合创晶锦鼎旭阳绿蓝青宝长久美益康豪优捷航舟洋"
        "帆展卓睿智诺思聚晟烨煜炜琪璟骏驰扬舜尚钧铭澄沁澜岳川谷丰茂乾坤赛威普凌云霖"
    )
)
NAME_CAPACITY = len(_PREFIXES) * len(_TRADE_CHARACTERS) ** 2 * WORDS_PER_INDUSTRY * len(_FORMS)


def company_name(code: int, industry: str) -> str:
    """The company name numbered ``code`` (0 <= code < NAME_CAPACITY); distinct codes give
    distinct names, whatever the industries."""
    code, prefix = divmod(code, len(_PREFIXES))
    code, form = divmod(code, len(_FORMS))
    code, word = divmod(code, WORDS_PER_INDUSTRY)
    code, second = divmod(code, len(_TRADE_CHARACTERS))
    first = code % len(_TRADE_CHARACTERS)
    trade = _TRADE_CHARACTERS[first] + _TRADE_CHARACTERS[second]
    return f"{_PREFIXES[prefix]}{trade}{INDUSTRY_WORDS[industry][word]}{_FORMS[form]}"


_SURNAMES = tuple(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶"
    "程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾"
    "毛郝龚邵万钱严武戴莫孔向汤"
)
_GIVEN = tuple(
    dict.fromkeys(
        "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华建国志文辉力斌宇浩凯鹏晨婷雪琳晓红海峰"
        "东亮成林俊健飞波宏云鑫玉兰梅萍春新永振德宁欣怡佳颖思嘉博天子一雨彬瑞凡帆豪阳"
    )
)


def person_name(rng: random.Random) -> str:
    given = one_of(rng, _GIVEN)
    if rng.random() < 0.65:
        given += one_of(rng, _GIVEN)
    return one_of(rng, _SURNAMES) + given


_MOBILE_PREFIXES = tuple(
    str(prefix)
    for prefix in (*range(130, 140), 150, 151, 152, 153, *range(155, 160), 166, 173, 177)
) + tuple(str(prefix) for prefix in (*range(180, 190), 191, 199))


def mobile_phone(rng: random.Random) -> str:
    return f"{one_of(rng, _MOBILE_PREFIXES)}{rng.randrange(10**8):08d}"


def street_address(rng: random.Random, place: Place) -> str:
    address = f"{place.district}{one_of(rng, place.roads)}{draw(rng, 1, 2999)}号"
    if rng.random() < 0.3:
        address += f"{draw(rng, 1, 12)}幢"
    return address


_STORES = ("甲类仓库", "乙类仓库", "危险化学品仓库", "储罐区", "保税仓库")


def storage_location(rng: random.Random, place: Place) -> str:
    return (
        f"{place.district}{one_of(rng, place.roads)}{draw(rng, 1, 2999)}号"
        f"{draw(rng, 1, 9)}号{one_of(rng, _STORES)}"
    )


# Risk categories each kind of reporting department tends to find, with description
# templates; {n} and {b} become equipment and building numbers.
RISK_TEMPLATES: dict[str, tuple[str, ...]] = {
    "fire safety": (
        "Fire hydrant near tank T-{n} obstructed by stacked pallets",
        "Automatic sprinkler system in warehouse {b} out of service",
        "Fire doors in plant {b} propped open during production",
        "Fire extinguishers in plant {b} past their inspection date",
    ),
    "storage": (
        "Oxidisers stored next to flammable liquids in warehouse {b}",
        "Quantity held in warehouse {b} exceeds the approved maximum",
        "High-level alarm on tank T-{n} not interlocked with the inlet valve",
        "Bund wall around tank T-{n} cracked",
    ),
    "process safety": (
        "Safety instrumented function on reactor R-{n} bypassed without authorisation",
        "HAZOP recommendations for unit {n} not implemented",
        "Relief valve on reactor R-{n} overdue for calibration",
        "Operating procedure for unit {n} lacks critical operating limits",
    ),
    "electrical": (
        "Non-explosion-proof lighting in the solvent area of plant {b}",
        "Earthing of loading arm {n} broken",
        "Temporary wiring in the control room of plant {b}",
    ),
    "emergency plan": (
        "Emergency response plan not revised after the change to unit {n}",
        "No emergency drill recorded in the last six months",
        "Emergency equipment cabinet at plant {b} incomplete",
    ),
    "special equipment": (
        "Inspection certificate of pressure vessel V-{n} expired",
        "Forklift operator in warehouse {b} without a valid licence",
        "Crane C-{n} overdue for periodic inspection",
    ),
    "hazardous waste": (
        "Hazardous waste held beyond the one-year limit in store {b}",
        "Drums of hazardous waste in store {b} unlabelled",
    ),
    "waste gas treatment": (
        "Bypass damper of thermal oxidiser {n} open during production",
        "Leak detection and repair records for unit {n} incomplete",
    ),
    "wastewater discharge": (
        "Cut-off valve on rainwater outfall {n} left open",
        "Online COD monitor at outfall {n} offline",
    ),
}

SAFETY_CATEGORIES = (
    "fire safety",
    "storage",
    "process safety",
    "electrical",
    "emergency plan",
    "special equipment",
)
ENVIRONMENT_CATEGORIES = (
    "hazardous waste",
    "waste gas treatment",
    "wastewater discharge",
    "storage",
)


def risk_description(rng: random.Random, category: str) -> str:
    return one_of(rng, RISK_TEMPLATES[category]).format(n=draw(rng, 101, 899), b=draw(rng, 1, 12))


SUSPENSION_NOTES = (
    "ordered to suspend pending rectification after inspection",
    "production halted for equipment overhaul",
    "production halted for lack of orders",
    "suspended during the park-wide safety campaign",
)
RELOCATION_NOTES = (
    "relocated under the park's layout adjustment plan",
    "moved out of the residential buffer zone",
)
CANCELLATION_NOTES = (
    "deregistered at the enterprise's request",
    "registration revoked",
    "merged into another enterprise",
)
CREDIT_REASONS = (
    "administrative penalty for false declaration",
    "overdue tax and fees",
    "serious work-safety violation",
    "failed to rectify a major hidden danger on time",
    "listed in the abnormal operations directory",
)
