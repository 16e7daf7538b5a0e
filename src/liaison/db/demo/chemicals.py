"""Real dangerous chemicals commonly imported by Chinese chemical enterprises, for demo data.

Classes are the primary UN class or division (subsidiary hazards are left out). Where the UN
entry depends on concentration, the name states the grade the entry is for.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Chemical:
    name: str
    name_zh: str
    cas_number: str
    un_number: str
    hazard_class: str
    packing_group: str | None
    unit: str


CHEMICALS: tuple[Chemical, ...] = (
    # Class 2: gases, which have no packing group
    Chemical("Chlorine", "氯气", "7782-50-5", "UN1017", "2.3", None, "t"),
    Chemical("Ammonia, anhydrous", "液氨", "7664-41-7", "UN1005", "2.3", None, "t"),
    Chemical("Ethylene oxide", "环氧乙烷", "75-21-8", "UN1040", "2.3", None, "t"),
    Chemical("Sulfur dioxide", "二氧化硫", "7446-09-5", "UN1079", "2.3", None, "kg"),
    Chemical("Hydrogen sulfide", "硫化氢", "7783-06-4", "UN1053", "2.3", None, "kg"),
    Chemical("Propylene", "丙烯", "115-07-1", "UN1077", "2.1", None, "t"),
    Chemical("Liquefied petroleum gas", "液化石油气", "68476-85-7", "UN1075", "2.1", None, "t"),
    Chemical("Hydrogen, compressed", "氢气", "1333-74-0", "UN1049", "2.1", None, "m3"),
    Chemical("Acetylene, dissolved", "溶解乙炔", "74-86-2", "UN1001", "2.1", None, "kg"),
    Chemical(
        "Vinyl chloride, stabilized", "氯乙烯（稳定的）", "75-01-4", "UN1086", "2.1", None, "t"
    ),
    Chemical(
        "1,3-Butadiene, stabilized", "1,3-丁二烯（稳定的）", "106-99-0", "UN1010", "2.1", None, "t"
    ),
    Chemical(
        "Ethylene, refrigerated liquid", "乙烯（冷冻液化的）", "74-85-1", "UN1038", "2.1", None, "t"
    ),
    # Class 3: flammable liquids
    Chemical("Benzene", "苯", "71-43-2", "UN1114", "3", "II", "t"),
    Chemical("Methanol", "甲醇", "67-56-1", "UN1230", "3", "II", "t"),
    Chemical("Toluene", "甲苯", "108-88-3", "UN1294", "3", "II", "t"),
    Chemical("Xylenes (mixed isomers)", "二甲苯", "1330-20-7", "UN1307", "3", "III", "t"),
    Chemical("Acetone", "丙酮", "67-64-1", "UN1090", "3", "II", "t"),
    Chemical("Acetonitrile", "乙腈", "75-05-8", "UN1648", "3", "II", "L"),
    Chemical("Ethanol", "乙醇", "64-17-5", "UN1170", "3", "II", "t"),
    Chemical(
        "Styrene monomer, stabilized", "苯乙烯（稳定的）", "100-42-5", "UN2055", "3", "III", "t"
    ),
    Chemical("Acrylonitrile, stabilized", "丙烯腈（稳定的）", "107-13-1", "UN1093", "3", "I", "t"),
    Chemical("Carbon disulfide", "二硫化碳", "75-15-0", "UN1131", "3", "I", "t"),
    Chemical("Ethyl acetate", "乙酸乙酯", "141-78-6", "UN1173", "3", "II", "t"),
    Chemical("n-Hexane", "正己烷", "110-54-3", "UN1208", "3", "II", "t"),
    Chemical("Cyclohexane", "环己烷", "110-82-7", "UN1145", "3", "II", "t"),
    Chemical(
        "Methyl methacrylate monomer, stabilized",
        "甲基丙烯酸甲酯（稳定的）",
        "80-62-6",
        "UN1247",
        "3",
        "II",
        "t",
    ),
    Chemical("Isopropanol", "异丙醇", "67-63-0", "UN1219", "3", "II", "t"),
    Chemical("Methyl ethyl ketone", "2-丁酮", "78-93-3", "UN1193", "3", "II", "t"),
    Chemical("n-Butanol", "正丁醇", "71-36-3", "UN1120", "3", "III", "t"),
    Chemical("Propylene oxide", "环氧丙烷", "75-56-9", "UN1280", "3", "I", "t"),
    Chemical("Methyl tert-butyl ether", "甲基叔丁基醚", "1634-04-4", "UN2398", "3", "II", "t"),
    Chemical("Tetrahydrofuran", "四氢呋喃", "109-99-9", "UN2056", "3", "II", "L"),
    # Class 4: flammable solids, spontaneously combustible, dangerous when wet
    Chemical("Calcium carbide", "碳化钙", "75-20-7", "UN1402", "4.3", "I", "t"),
    Chemical("Sodium", "金属钠", "7440-23-5", "UN1428", "4.3", "I", "kg"),
    Chemical("Phosphorus, white or yellow", "黄磷", "12185-10-3", "UN1381", "4.2", "I", "kg"),
    # Class 5: oxidizers
    Chemical(
        "Ammonium nitrate (not more than 0.2 % combustible substances)",
        "硝酸铵",
        "6484-52-2",
        "UN1942",
        "5.1",
        "III",
        "t",
    ),
    Chemical(
        "Hydrogen peroxide, aqueous solution (20 % to 60 %)",
        "过氧化氢溶液",
        "7722-84-1",
        "UN2014",
        "5.1",
        "II",
        "t",
    ),
    Chemical("Potassium permanganate", "高锰酸钾", "7722-64-7", "UN1490", "5.1", "II", "kg"),
    Chemical("Sodium nitrite", "亚硝酸钠", "7632-00-0", "UN1500", "5.1", "III", "t"),
    # Class 6.1: toxic substances
    Chemical("Sodium cyanide, solid", "氰化钠", "143-33-9", "UN1689", "6.1", "I", "kg"),
    Chemical("Phenol, solid", "苯酚", "108-95-2", "UN1671", "6.1", "II", "t"),
    Chemical("Phosphorus trichloride", "三氯化磷", "7719-12-2", "UN1809", "6.1", "I", "t"),
    Chemical("Epichlorohydrin", "环氧氯丙烷", "106-89-8", "UN2023", "6.1", "II", "t"),
    Chemical("Aniline", "苯胺", "62-53-3", "UN1547", "6.1", "II", "t"),
    Chemical("Nitrobenzene", "硝基苯", "98-95-3", "UN1662", "6.1", "II", "t"),
    Chemical("Chloroform", "三氯甲烷", "67-66-3", "UN1888", "6.1", "III", "t"),
    Chemical("Dichloromethane", "二氯甲烷", "75-09-2", "UN1593", "6.1", "III", "t"),
    Chemical("Trichloroethylene", "三氯乙烯", "79-01-6", "UN1710", "6.1", "III", "t"),
    Chemical(
        "Toluene 2,4-diisocyanate", "甲苯-2,4-二异氰酸酯", "584-84-9", "UN2078", "6.1", "II", "t"
    ),
    # Class 8: corrosive substances
    Chemical("Sulfuric acid (more than 51 %)", "硫酸", "7664-93-9", "UN1830", "8", "II", "t"),
    Chemical("Hydrochloric acid", "盐酸", "7647-01-0", "UN1789", "8", "II", "t"),
    Chemical("Nitric acid (not more than 70 %)", "硝酸", "7697-37-2", "UN2031", "8", "II", "t"),
    Chemical("Sodium hydroxide, solid", "氢氧化钠", "1310-73-2", "UN1823", "8", "II", "t"),
    Chemical("Potassium hydroxide, solid", "氢氧化钾", "1310-58-3", "UN1813", "8", "II", "t"),
    Chemical("Hydrogen fluoride, anhydrous", "无水氟化氢", "7664-39-3", "UN1052", "8", "I", "t"),
    Chemical(
        "Formaldehyde solution (at least 25 %)", "甲醛溶液", "50-00-0", "UN2209", "8", "III", "t"
    ),
    Chemical(
        "Sodium hypochlorite solution", "次氯酸钠溶液", "7681-52-9", "UN1791", "8", "III", "t"
    ),
    Chemical(
        "Hydrazine hydrate (more than 37 % hydrazine)",
        "水合肼",
        "10217-52-4",
        "UN2030",
        "8",
        "II",
        "kg",
    ),
    Chemical("Acetic acid, glacial", "冰乙酸", "64-19-7", "UN2789", "8", "II", "t"),
    Chemical("Bromine", "溴", "7726-95-6", "UN1744", "8", "I", "kg"),
    Chemical("Thionyl chloride", "氯化亚砜", "7719-09-7", "UN1836", "8", "I", "kg"),
)
