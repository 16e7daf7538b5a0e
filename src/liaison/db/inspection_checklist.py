"""The standard joint inspection checklist: six aspects, each item with the provision it
checks and the kind of department that brings it by default. Data, not code: a plan copies
the items it uses, so a later edit of this list never changes a plan already proposed."""

from __future__ import annotations

from dataclasses import dataclass

SAFETY = "emergency_management"
CUSTOMS = "customs"
MARKET = "market_supervision"
ECOLOGY = "ecology_environment"
PARK = "park_committee"


@dataclass(frozen=True, slots=True)
class StandardItem:
    code: str
    aspect: str
    department_kind: str  # who brings it when a plan does not say
    text: str
    legal_reference: str


ASPECTS = (
    "safety_management_system",
    "working_environment",
    "equipment_and_facilities",
    "goods_and_dangerous_chemicals",
    "emergency_preparedness",
    "documentation",
)

_SM, _WE, _EF, _DG, _EP, _DO = ASPECTS

STANDARD_CHECKLIST: tuple[StandardItem, ...] = (
    StandardItem(
        "SM-01", _SM, SAFETY, "主要负责人安全生产责任制建立并落实", "《安全生产法》第二十一条"
    ),
    StandardItem(
        "SM-02",
        _SM,
        SAFETY,
        "全员安全生产责任制明确岗位、责任人员和考核标准",
        "《安全生产法》第二十二条",
    ),
    StandardItem(
        "SM-03",
        _SM,
        SAFETY,
        "设置安全生产管理机构或配备专职安全生产管理人员",
        "《安全生产法》第二十四条",
    ),
    StandardItem(
        "SM-04", _SM, SAFETY, "安全生产资金投入保障并专款专用", "《安全生产法》第二十三条"
    ),
    StandardItem(
        "SM-05", _SM, SAFETY, "从业人员安全生产教育培训及档案", "《安全生产法》第二十八条"
    ),
    StandardItem("SM-06", _SM, SAFETY, "特种作业人员持证上岗", "《安全生产法》第三十条"),
    StandardItem(
        "SM-07",
        _SM,
        SAFETY,
        "安全风险分级管控和隐患排查治理双重预防机制",
        "《安全生产法》第四十一条",
    ),
    StandardItem(
        "SM-08",
        _SM,
        SAFETY,
        "危险化学品安全生产许可证在有效期内",
        "《危险化学品安全管理条例》第十四条",
    ),
    StandardItem("SM-09", _SM, SAFETY, "安全生产标准化建设", "《安全生产法》第四条"),
    StandardItem("WE-01", _WE, SAFETY, "特殊作业实行作业许可管理", "GB 30871-2022 第4章"),
    StandardItem("WE-02", _WE, SAFETY, "动火作业票证、分级和监护", "GB 30871-2022 第5章"),
    StandardItem("WE-03", _WE, SAFETY, "受限空间作业气体检测与监护", "GB 30871-2022 第6章"),
    StandardItem(
        "WE-04", _WE, SAFETY, "危险场所设置明显的安全警示标志", "《安全生产法》第三十五条"
    ),
    StandardItem("WE-05", _WE, SAFETY, "疏散通道、安全出口畅通", "《安全生产法》第四十二条"),
    StandardItem("WE-06", _WE, SAFETY, "可燃和有毒气体检测报警设施", "GB/T 50493-2019"),
    StandardItem(
        "WE-07", _WE, SAFETY, "为从业人员提供符合标准的劳动防护用品", "《安全生产法》第四十五条"
    ),
    StandardItem(
        "WE-08", _WE, ECOLOGY, "废气、废水收集处理设施正常运行", "《环境保护法》第四十二条"
    ),
    StandardItem(
        "EF-01", _EF, SAFETY, "安全设备的设计、安装、维护、检测符合标准", "《安全生产法》第三十六条"
    ),
    StandardItem(
        "EF-02", _EF, MARKET, "特种设备使用登记并定期检验", "《特种设备安全法》第三十三条"
    ),
    StandardItem(
        "EF-03",
        _EF,
        MARKET,
        "压力容器、压力管道定期检验和安全附件校验",
        "《特种设备安全法》第四十条",
    ),
    StandardItem(
        "EF-04",
        _EF,
        SAFETY,
        "重大危险源监测监控和安全仪表系统",
        "GB 18218-2018；《危险化学品安全管理条例》第二十条",
    ),
    StandardItem("EF-05", _EF, SAFETY, "防雷、防静电设施定期检测", "GB 50057-2010"),
    StandardItem(
        "EF-06", _EF, SAFETY, "未使用淘汰的危及生产安全的工艺、设备", "《安全生产法》第三十八条"
    ),
    StandardItem(
        "EF-07", _EF, SAFETY, "危险化工工艺装置自动化控制", "《危险化学品安全管理条例》第二十条"
    ),
    StandardItem("DG-01", _DG, CUSTOMS, "进口危险化学品如实申报危险特性", "《海关法》第二十四条"),
    StandardItem(
        "DG-02",
        _DG,
        CUSTOMS,
        "进口危险化学品包装检验及中文危险公示标签",
        "海关总署公告2020年第129号",
    ),
    StandardItem(
        "DG-03",
        _DG,
        CUSTOMS,
        "随附中文安全技术说明书",
        "《危险化学品安全管理条例》第十五条；GB/T 16483",
    ),
    StandardItem(
        "DG-04", _DG, CUSTOMS, "海关监管货物按申报存放，未经许可不得移动", "《海关法》第三十七条"
    ),
    StandardItem(
        "DG-05", _DG, CUSTOMS, "列入目录的进口商品经检验合格", "《进出口商品检验法》第五条"
    ),
    StandardItem(
        "DG-06",
        _DG,
        SAFETY,
        "危险化学品专用仓库储存、专人管理",
        "《危险化学品安全管理条例》第二十四条",
    ),
    StandardItem("DG-07", _DG, SAFETY, "禁忌物料分区分类储存", "GB 15603-2022"),
    StandardItem("DG-08", _DG, SAFETY, "储存量不超过仓库核定储量", "GB 15603-2022"),
    StandardItem(
        "DG-09", _DG, SAFETY, "重大危险源辨识、登记建档", "GB 18218-2018；《安全生产法》第四十条"
    ),
    StandardItem(
        "DG-10", _DG, SAFETY, "危险化学品出入库核查登记", "《危险化学品安全管理条例》第二十五条"
    ),
    StandardItem(
        "DG-11",
        _DG,
        SAFETY,
        "剧毒化学品、易制爆危险化学品流向记录",
        "《危险化学品安全管理条例》第二十三条",
    ),
    StandardItem(
        "EP-01", _EP, SAFETY, "生产安全事故应急救援预案制定并备案", "《安全生产法》第八十一条"
    ),
    StandardItem("EP-02", _EP, SAFETY, "应急预案定期演练并评估", "《生产安全事故应急条例》第八条"),
    StandardItem(
        "EP-03", _EP, SAFETY, "建立应急救援队伍或签订救援协议", "《安全生产法》第八十二条"
    ),
    StandardItem(
        "EP-04", _EP, SAFETY, "应急救援器材、设备维护保养", "《危险化学品安全管理条例》第七十条"
    ),
    StandardItem("EP-05", _EP, SAFETY, "消防设施、器材完好有效", "《消防法》第十六条"),
    StandardItem("EP-06", _EP, SAFETY, "事故报告程序明确", "《安全生产法》第八十三条"),
    StandardItem("EP-07", _EP, ECOLOGY, "突发环境事件应急预案", "《环境保护法》第四十七条"),
    StandardItem(
        "DO-01", _DO, MARKET, "营业执照登记事项与实际一致", "《市场主体登记管理条例》第二十四条"
    ),
    StandardItem(
        "DO-02", _DO, SAFETY, "危险化学品经营许可证", "《危险化学品安全管理条例》第三十三条"
    ),
    StandardItem(
        "DO-03",
        _DO,
        SAFETY,
        "安全评价报告在有效期内并整改落实",
        "《危险化学品安全管理条例》第二十二条",
    ),
    StandardItem("DO-04", _DO, CUSTOMS, "报关单证及相关资料完整保存", "《海关法》第四十五条"),
    StandardItem("DO-05", _DO, SAFETY, "危险化学品登记", "《危险化学品安全管理条例》第六十七条"),
    StandardItem(
        "DO-06", _DO, SAFETY, "隐患排查治理记录并向从业人员通报", "《安全生产法》第四十一条"
    ),
    StandardItem(
        "DO-07", _DO, ECOLOGY, "建设项目环境影响评价文件批复", "《环境影响评价法》第二十五条"
    ),
)

BY_CODE: dict[str, StandardItem] = {item.code: item for item in STANDARD_CHECKLIST}


def default_items(department_kind: str) -> list[StandardItem]:
    """The items a department of this kind brings to a plan that does not name them."""
    return [item for item in STANDARD_CHECKLIST if item.department_kind == department_kind]
