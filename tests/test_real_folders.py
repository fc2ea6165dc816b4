"""Real folders from elsewhere (../shared/corpus/city-2024 and budget/): every file goes in with the
right place, level, type and year, or is refused for a reason a user would accept (it is not a
report). Where the source mislabels a file, the table says what the file really holds.

The folders are read where they are (CI has them at ../shared/corpus); the tests skip without them.
"""

from __future__ import annotations

import pytest

from search.errors import ReportError
from search.reading import read_report

from .conftest import ROOT

CORPUS = ROOT.parent / "shared" / "corpus"
needs_corpus = pytest.mark.skipif(not (CORPUS / "city-2024").is_dir() or not (CORPUS / "budget").is_dir(),
                                  reason="the shared corpus of real reports (../shared/corpus) is not on this machine")

# (file, place, level, type, year); the comment says where the place came from, or what is special.
# A row with place None is refused; REFUSALS says why.
EXPECTED = [
    ("city-2024/三亚.docx", "海南省三亚市", "地级", "政府工作报告", 2024),  # place from 文件名+正文
    ("city-2024/上海.docx", "上海市", "省级", "政府工作报告", 2024),  # a municipality: 省级
    ("city-2024/中山.docx", "广东省中山市", "地级", "政府工作报告", 2024),  # place from 文件名+正文
    ("city-2024/临沂.docx", "山东省临沂市", "地级", "政府工作报告", 2024),  # place from 文件名+正文
    ("city-2024/乌鲁木齐.docx", "新疆维吾尔自治区乌鲁木齐市", "地级", "政府工作报告", 2024),  # place from 文件名+正文
    ("city-2024/乐山.docx", "四川省乐山市", "地级", "政府工作报告", 2024),  # place from 文件名+正文
    ("city-2024/六安.docx", "安徽省六安市", "地级", "政府工作报告", 2024),  # place from 文件名+正文
    ("city-2024/六盘水.docx", "贵州省六盘水市", "地级", "政府工作报告", 2024),  # place from 文件名+正文
    ("city-2024/北京.docx", "北京市", "省级", "政府工作报告", 2024),  # a municipality: 省级
    ("city-2024/十堰.docx", "湖北省十堰市", "地级", "政府工作报告", 2024),  # place from 文件名+正文
    ("city-2024/南京.docx", "江苏省南京市", "地级", "政府工作报告", 2024),  # place from 开头
    ("city-2024/南宁.docx", "广西壮族自治区南宁市", "地级", "政府工作报告", 2024),  # place from 文件名+正文
    ("city-2024/南通.docx", "江苏省南通市", "地级", "政府工作报告", 2024),  # place from 文件名+正文
    ("city-2024/台州.docx", None, None, None, None),  # refused: holds the State Council's 2024 report (我代表国务院), not 台州's
    ("city-2024/合肥.docx", "安徽省合肥市", "地级", "政府工作报告", 2024),  # place from 文件名+正文
    ("city-2024/吉林.docx", "吉林省吉林市", "地级", "政府工作报告", 2024),  # place from 文件名+正文
    ("city-2024/呼和浩特.docx", "内蒙古自治区呼和浩特市", "地级", "政府工作报告", 2024),  # place from 文件名+正文
    ("city-2024/哈尔滨.docx", "黑龙江省哈尔滨市", "地级", "政府工作报告", 2024),  # place from 文件名+正文
    ("city-2024/嘉兴.docx", "浙江省嘉兴市", "地级", "政府工作报告", 2024),  # place from 文件名+正文
    ("city-2024/天门.docx", "湖北省天门市", "县级", "政府工作报告", 2024),  # a county-level city directly under 湖北省
    ("city-2024/威海.docx", "山东省威海市", "地级", "政府工作报告", 2024),  # place from 开头
    ("city-2024/宁波.docx", "浙江省宁波市", "地级", "政府工作报告", 2024),  # place from 文件名+正文
    ("city-2024/安顺.docx", "贵州省安顺市", "地级", "政府工作报告", 2024),  # place from 文件名+正文
    ("city-2024/宜春.docx", "江西省宜春市", "地级", "政府工作报告", 2024),  # place from 文件名+正文
    ("city-2024/宿州.docx", "安徽省宿州市", "地级", "政府工作报告", 2024),  # place from 文件名+正文
    ("city-2024/岳阳.docx", "湖南省岳阳市", "地级", "政府工作报告", 2024),  # place from 文件名+正文
    ("city-2024/巴中.docx", "四川省巴中市", "地级", "政府工作报告", 2024),  # place from 文件名+正文
    ("city-2024/常州.docx", "江苏省常州市", "地级", "政府工作报告", 2024),  # place from 开头
    ("city-2024/广安.docx", "四川省广安市", "地级", "政府工作报告", 2024),  # place from 文件名+正文
    ("city-2024/广州.docx", "广东省广州市", "地级", "政府工作报告", 2024),  # place from 文件名+正文
    ("city-2024/德州.docx", "山东省德州市", "地级", "政府工作报告", 2024),  # place from 文件名+正文
    ("city-2024/德阳.docx", "四川省德阳市", "地级", "政府工作报告", 2024),  # place from 文件名+正文
    ("city-2024/成都.docx", "四川省成都市", "地级", "政府工作报告", 2024),  # place from 文件名+正文
    ("city-2024/扬州.docx", "江苏省扬州市", "地级", "政府工作报告", 2024),  # place from 开头
    ("city-2024/抚州.docx", "江西省抚州市", "地级", "政府工作报告", 2024),  # place from 文件名+正文
    ("city-2024/攀枝花.docx", "四川省攀枝花市", "地级", "政府工作报告", 2024),  # place from 文件名+正文
    ("city-2024/日照.docx", "山东省日照市", "地级", "政府工作报告", 2024),  # place from 文件名+正文
    ("city-2024/晋城.docx", "山西省晋城市", "地级", "政府工作报告", 2024),  # place from 文件名+正文
    ("city-2024/杭州.docx", "浙江省杭州市", "地级", "政府工作报告", 2024),  # place from 日期行
    ("city-2024/林芝.docx", "西藏自治区林芝市", "地级", "政府工作报告", 2024),  # place from 文件名+正文
    ("city-2024/柳州.docx", "广西壮族自治区柳州市", "地级", "政府工作报告", 2024),  # place from 文件名+正文
    ("city-2024/桂林.docx", "广西壮族自治区桂林市", "地级", "政府工作报告", 2024),  # place from 文件名+正文
    ("city-2024/武汉.docx", "湖北省武汉市", "地级", "政府工作报告", 2024),  # place from 文件名+正文
    ("city-2024/毕节.docx", "贵州省毕节市", "地级", "政府工作报告", 2024),  # place from 文件名+正文
    ("city-2024/池州.docx", "安徽省池州市", "地级", "政府工作报告", 2023),  # the 2023 report (一、2022年工作回顾)
    ("city-2024/沈阳.docx", "辽宁省沈阳市", "地级", "政府工作报告", 2024),  # place from 开头
    ("city-2024/泰安.docx", "山东省泰安市", "地级", "政府工作报告", 2024),  # place from 文件名+正文
    ("city-2024/泰州.docx", "江苏省泰州市", "地级", "政府工作报告", 2024),  # place from 开头
    ("city-2024/济南.docx", "山东省济南市", "地级", "政府工作报告", 2024),  # place from 文件名+正文
    ("city-2024/济宁.docx", "山东省济宁市", "地级", "政府工作报告", 2024),  # place from 文件名+正文
    ("city-2024/淮北.docx", "安徽省淮北市", "地级", "政府工作报告", 2024),  # place from 文件名+正文
    ("city-2024/淮南.docx", "安徽省淮南市", "地级", "政府工作报告", 2024),  # place from 文件名+正文
    ("city-2024/深圳.docx", "广东省深圳市", "地级", "政府工作报告", 2024),  # place from 开头
    ("city-2024/温州.docx", "浙江省温州市", "地级", "政府工作报告", 2024),  # place from 文件名+正文
    ("city-2024/滁州.docx", "安徽省滁州市", "地级", "政府工作报告", 2024),  # place from 文件名+正文
    ("city-2024/滨州.docx", "山东省滨州市", "地级", "政府工作报告", 2024),  # place from 文件名+正文
    ("city-2024/潜江.docx", "湖北省潜江市", "县级", "政府工作报告", 2024),  # a county-level city directly under 湖北省
    ("city-2024/烟台.docx", "山东省烟台市", "地级", "政府工作报告", 2024),  # place from 文件名+正文
    ("city-2024/玉林.docx", "广西壮族自治区玉林市", "地级", "政府工作报告", 2024),  # place from 日期行
    ("city-2024/甘孜.docx", "四川省甘孜藏族自治州", "地级", "政府工作报告", 2024),  # place from 文件名+正文
    ("city-2024/益阳.docx", "湖南省益阳市", "地级", "政府工作报告", 2024),  # place from 文件名+正文
    ("city-2024/盐城.docx", "江苏省盐城市", "地级", "政府工作报告", 2024),  # place from 开头
    ("city-2024/绍兴.docx", "浙江省绍兴市", "地级", "政府工作报告", 2024),  # place from 文件名+正文
    ("city-2024/绵阳.docx", "四川省绵阳市", "地级", "政府工作报告", 2024),  # place from 文件名+正文
    ("city-2024/舟山.docx", "浙江省舟山市", "地级", "政府工作报告", 2024),  # place from 文件名+正文
    ("city-2024/芜湖.docx", "安徽省芜湖市", "地级", "政府工作报告", 2024),  # place from 文件名+正文
    ("city-2024/荆州.docx", "湖北省荆州市", "地级", "政府工作报告", 2024),  # place from 文件名+正文
    ("city-2024/荆门.docx", "湖北省荆门市", "地级", "政府工作报告", 2024),  # place from 文件名+正文
    ("city-2024/蚌埠.docx", "安徽省蚌埠市", "地级", "政府工作报告", 2024),  # place from 文件名+正文
    ("city-2024/衢州.docx", "浙江省衢州市", "地级", "政府工作报告", 2024),  # place from 文件名+正文
    ("city-2024/贵港.docx", "广西壮族自治区贵港市", "地级", "政府工作报告", 2024),  # place from 开头
    ("city-2024/贵阳.docx", None, None, None, None),  # refused: the same national report again
    ("city-2024/资阳.docx", "四川省资阳市", "地级", "政府工作报告", 2024),  # place from 文件名+正文
    ("city-2024/连云港.docx", "江苏省连云港市", "地级", "政府工作报告", 2024),  # place from 开头
    ("city-2024/遂宁.docx", "四川省遂宁市", "地级", "政府工作报告", 2024),  # place from 文件名+正文
    ("city-2024/郴州.docx", "湖南省郴州市", "地级", "政府工作报告", 2024),  # place from 文件名+正文
    ("city-2024/鄂州.docx", "湖北省鄂州市", "地级", "政府工作报告", 2024),  # place from 文件名+正文
    ("city-2024/金华.docx", "浙江省金华市", "地级", "政府工作报告", 2024),  # place from 开头
    ("city-2024/钦州.docx", "广西壮族自治区钦州市", "地级", "政府工作报告", 2024),  # place from 文件名+正文
    ("city-2024/铜仁.docx", "贵州省铜仁市", "地级", "政府工作报告", 2024),  # place from 文件名+正文
    ("city-2024/铜陵.docx", "安徽省铜陵市", "地级", "政府工作报告", 2024),  # place from 文件名+正文
    ("city-2024/银川.docx", "宁夏回族自治区银川市", "地级", "政府工作报告", 2024),  # place from 文件名+正文
    ("city-2024/锡林郭勒.docx", "内蒙古自治区锡林郭勒盟", "地级", "政府工作报告", 2024),  # the 行署's report to the 盟人大工委
    ("city-2024/镇江.docx", "江苏省镇江市", "地级", "政府工作报告", 2024),  # place from 开头
    ("city-2024/长沙.docx", "湖南省长沙市", "地级", "政府工作报告", 2024),  # place from 文件名+正文
    ("city-2024/长治.docx", "山西省长治市", "地级", "政府工作报告", 2024),  # place from 文件名+正文
    ("city-2024/阜阳.docx", "安徽省阜阳市", "地级", "政府工作报告", 2024),  # place from 文件名+正文
    ("city-2024/防城港.docx", "广西壮族自治区防城港市", "地级", "政府工作报告", 2024),  # place from 日期行
    ("city-2024/阳泉.docx", "山西省阳泉市", "地级", "政府工作报告", 2024),  # place from 文件名+正文
    ("city-2024/阿坝.docx", "四川省阿坝藏族羌族自治州", "地级", "政府工作报告", 2024),  # place from 文件名+正文
    ("city-2024/随州.docx", "湖北省随州市", "地级", "政府工作报告", 2024),  # place from 文件名+正文
    ("city-2024/雅安.docx", "四川省雅安市", "地级", "政府工作报告", 2024),  # place from 文件名+正文
    ("city-2024/青岛.docx", "山东省青岛市", "地级", "政府工作报告", 2024),  # place from 文件名+正文
    ("city-2024/马鞍山.docx", "安徽省马鞍山市", "地级", "政府工作报告", 2024),  # place from 日期行
    ("city-2024/黄冈.docx", "湖北省黄冈市", "地级", "政府工作报告", 2024),  # place from 文件名+正文
    ("city-2024/黄山.docx", "安徽省黄山市黄山区", "县级", "政府工作报告", 2024),  # 黄山区's report (我代表区人民政府), not the city's
    ("city-2024/黄石.docx", "湖北省黄石市", "地级", "政府工作报告", 2024),  # place from 文件名+正文
    ("city-2024/黔东南.docx", "贵州省黔东南苗族侗族自治州", "地级", "政府工作报告", 2024),  # place from 日期行
    ("city-2024/黔南.docx", "贵州省黔南布依族苗族自治州", "地级", "政府工作报告", 2024),  # place from 文件名+正文
    ("city-2024/黔西南.docx", "贵州省黔西南布依族苗族自治州", "地级", "政府工作报告", 2024),  # place from 文件名+正文
    ("budget/2018_lvliang_2018_budget_report.html", "山西省吕梁市", "地级", "预算执行情况报告", 2019),  # place from 标题
    ("budget/2018_sanming_2018_budget_report.html", "福建省三明市", "地级", "预算执行情况报告", 2019),  # place from 标题
    ("budget/2018_zhumadian_2018_budget_report.html", "河南省驻马店市", "地级", "预算执行情况报告", 2019),  # place from 标题
    ("budget/2019_nanyang_2019_budget_report.html", "河南省南阳市", "地级", "预算执行情况报告", 2020),  # place from 标题
    ("budget/2019_zhoukou_2019_budget_report.html", "河南省周口市", "地级", "预算执行情况报告", 2020),  # the 财政局's 预算编制说明; the place from the portal's name
    ("budget/2025_aksu_2025_statistical_bulletin.html", "新疆维吾尔自治区阿克苏地区", "地级", "统计公报", 2025),  # place from 开头
    ("budget/2025_ankang_2025_budget_report.html", "陕西省安康市", "地级", "预算执行情况报告", 2026),  # place from 标题
    ("budget/2025_beijing_2025_budget_report.pdf", "北京市", "省级", "预算执行情况报告", 2026),  # place from 日期行
    ("budget/2025_changde_2025_budget_report.html", "湖南省常德市", "地级", "预算执行情况报告", 2025),  # delivered 2025-12-27 to pass the 2026 budget
    ("budget/2025_changsha_2025_budget_report.html", "湖南省长沙市", "地级", "预算执行情况报告", 2026),  # place from 开头
    ("budget/2025_changsha_2025_statistical_bulletin.html", "湖南省长沙市", "地级", "统计公报", 2025),  # place from 开头
    ("budget/2025_chaoyang_2025_budget_report.pdf", "辽宁省朝阳市", "地级", "预算执行情况报告", 2026),  # place from 开头
    ("budget/2025_chifeng_2025_budget_report.html", "内蒙古自治区赤峰市", "地级", "预算执行情况报告", 2026),  # place from 开头
    ("budget/2025_datong_2025_budget_report.html", "山西省大同市", "地级", "预算执行情况报告", 2026),  # place from 标题
    ("budget/2025_fangchenggang_2025_budget_report.pdf", "广西壮族自治区防城港市", "地级", "预算执行情况报告", 2026),  # tables only, after a contents page
    ("budget/2025_fushun_2025_final_budget_report.html", "辽宁省抚顺市", "地级", "决算报告", 2025),  # place from 标题
    ("budget/2025_fuzhou_2025_finance_final.html", "福建省福州市", "地级", "决算报告", 2025),  # place from 开头
    ("budget/2025_guyuan_2025_budget_report.pdf", "宁夏回族自治区固原市", "地级", "预算执行情况报告", 2026),  # place from 开头
    ("budget/2025_honghe_2025_budget_report.html", "云南省红河哈尼族彝族自治州", "地级", "预算执行情况报告", 2026),  # place from 开头
    ("budget/2025_hotan_2025_statistical_bulletin.docx", "新疆维吾尔自治区和田地区", "地级", "统计公报", 2025),  # place from 开头
    ("budget/2025_huangshi_2025_budget_execution.html", "湖北省黄石市", "地级", "预算执行情况报告", 2026),  # place from 开头
    ("budget/2025_jiangsu_nantong_2026_budget_report.pdf", "江苏省南通市", "地级", "预算执行情况报告", 2026),  # place from 日期行
    ("budget/2025_jiangsu_yancheng_2026_budget_report.pdf", "江苏省盐城市", "地级", "预算执行情况报告", 2026),  # place from 日期行
    ("budget/2025_jinan_2025_budget_report.pdf", "山东省济南市", "地级", "预算执行情况报告", 2026),  # place from 标题
    ("budget/2025_jingdezhen_2025_budget_report.pdf", "江西省景德镇市", "地级", "预算执行情况报告", 2026),  # place from 日期行
    ("budget/2025_lijiang_2025_budget_report.html", "云南省丽江市", "地级", "预算执行情况报告", 2026),  # place from 标题
    ("budget/2025_lincang_2025_budget_report.html", "云南省临沧市", "地级", "预算执行情况报告", 2026),  # place from 开头
    ("budget/2025_luoyang_2025_budget_report.pdf", "河南省洛阳市", "地级", "预算执行情况报告", 2026),  # place from 开头
    ("budget/2025_lvliang_2025_budget_report.html", "山西省吕梁市", "地级", "预算执行情况报告", 2026),  # place from 标题
    ("budget/2025_nanchang_2025_general_expenditure_execution.pdf", None, None, None, None),  # refused: 2025_nanchang_2025_general_expenditure_execution.pdf：标题、日期行、
    ("budget/2025_panjin_2025_budget_execution_report.html", "辽宁省盘锦市", "地级", "预算执行情况报告", 2026),  # text pasted from Word, a <span> per run
    ("budget/2025_puer_2025_budget_report.html", "云南省普洱市", "地级", "预算执行情况报告", 2026),  # place from 日期行
    ("budget/2025_qingdao_2025_budget_report.pdf", "山东省青岛市", "地级", "预算执行情况报告", 2026),  # tables with a short 说明; years from the cover's title lines
    ("budget/2025_quanzhou_2025_statistical_bulletin.html", "福建省泉州市", "地级", "统计公报", 2025),  # place from 开头
    ("budget/2025_sanming_2025_budget_report.html", "福建省三明市", "地级", "预算执行情况报告", 2026),  # place from 标题
    ("budget/2025_shanghai_2025_budget_report.html", "上海市", "省级", "预算执行情况报告", 2026),  # place from 标题
    ("budget/2025_shenzhen_2025_budget_report.pdf", None, None, None, None),  # refused: 2025_shenzhen_2025_budget_report.pdf：这是一期政府公报（政府公报深圳市人民政府办公厅
    ("budget/2025_urumqi_2025_statistical_bulletin.html", "新疆维吾尔自治区乌鲁木齐市", "地级", "统计公报", 2025),  # place from 开头
    ("budget/2025_weihai_2025_budget_execution_report.pdf", "山东省威海市", "地级", "预算执行情况报告", 2026),  # place from 日期行
    ("budget/2025_xian_2025_budget_report.html", "陕西省西安市", "地级", "预算执行情况报告", 2026),  # place from 标题
    ("budget/2025_xian_2025_statistical_bulletin.pdf", "陕西省西安市", "地级", "统计公报", 2025),  # place from 开头
    ("budget/2025_yiyang_2025_budget_report.html", "湖南省益阳市", "地级", "预算执行情况报告", 2026),  # place from 标题
    ("budget/2025_yueyang_2025_budget_report.pdf", "湖南省岳阳市", "地级", "预算执行情况报告", 2025),  # delivered in December 2025 to pass the 2026 budget
    ("budget/2025_yueyang_2025_statistical_bulletin.html", "湖南省岳阳市", "地级", "统计公报", 2025),  # place from 开头
    ("budget/2025_yunfu_2025_budget_report.pdf", "广东省云浮市", "地级", "预算执行情况报告", 2026),  # place from 开头
    ("budget/2025_yuxi_2025_budget_report.html", "云南省玉溪市", "地级", "预算执行情况报告", 2026),  # place from 开头
]
REFUSALS = {
    # the file is named after a city, the report says 我代表国务院: which is wrong is for the user to say
    "city-2024/台州.docx": "文件名“台州”说的是浙江省台州市.*国务院",
    "city-2024/贵阳.docx": "文件名“贵阳”说的是贵州省贵阳市.*国务院",
    # a government gazette issue holding several documents, one after the other
    "budget/2025_shenzhen_2025_budget_report.pdf": "政府公报",
    # one table of 27 pages that names no place anywhere in its text: the manifest can name it
    "budget/2025_nanchang_2025_general_expenditure_execution.pdf": "看不出是哪个地区",
}


@needs_corpus
@pytest.mark.parametrize("name, place, level, rtype, year", EXPECTED, ids=[row[0] for row in EXPECTED])
def test_every_file_of_a_real_folder_goes_in_with_its_metadata(name, place, level, rtype, year):
    path = CORPUS / name
    if place is None:
        with pytest.raises(ReportError, match=REFUSALS[name]):
            read_report(path, root=path.parent)
        return
    report = read_report(path, root=path.parent)
    assert (report.place, report.level, report.type, report.year) == (place, level, rtype, year)
    assert report.evidence["place"] and report.evidence["year"] and report.evidence["type"]


@needs_corpus
def test_the_table_covers_every_file():
    files = {f"{folder}/{p.name}" for folder in ("city-2024", "budget")
             for p in (CORPUS / folder).iterdir() if p.suffix != ".md"}
    assert files == {row[0] for row in EXPECTED}
