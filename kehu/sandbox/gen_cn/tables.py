"""The generator's word lists and tables: names, places, industries, legal forms, codes."""
from __future__ import annotations

import datetime as dt
import re

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华玉萍红娥玲芬燕彬鹏辉浩宇晨欣怡佳子涵梓轩雨思博文斌建国志强海波晓东丹凤雪梅林峰俊杰嘉诚天宇"
BRAND_CHARS = ("华中恒瑞达通泰鑫盛宏远安康信诚联创新航天宇博凯嘉德利丰源隆晟昊瀚卓越启明星辰海峰云飞腾跃智汇融正和光美优佳"
               "金银东方科讯捷奥蓝易百顺祥兴旺万铭鼎立润泽春秋成睿思永益乐富宝龙旭日晶亿精众尚锦川森林环骏豪迈拓鸿运昌贵品")
PINYIN = dict(re.findall(r"([^\sa-z])([a-z]+)", """
王wang李li张zhang刘liu陈chen杨yang黄huang赵zhao吴wu周zhou徐xu孙sun马ma朱zhu胡hu郭guo何he高gao林lin罗luo郑zheng
梁liang谢xie宋song唐tang许xu韩han冯feng邓deng曹cao彭peng曾zeng肖xiao田tian董dong袁yuan潘pan于yu蒋jiang蔡cai余yu
杜du叶ye程cheng苏su魏wei吕lv丁ding任ren沈shen姚yao卢lu姜jiang崔cui钟zhong谭tan陆lu汪wang范fan金jin石shi廖liao
贾jia夏xia韦wei付fu方fang白bai邹zou孟meng熊xiong秦qin邱qiu江jiang尹yin薛xue闫yan段duan雷lei侯hou龙long史shi陶tao
黎li贺he顾gu毛mao郝hao龚gong邵shao万wan钱qian严yan覃qin武wu戴dai莫mo孔kong向xiang汤tang
伟wei芳fang娜na秀xiu英ying敏min静jing丽li强qiang磊lei军jun洋yang勇yong艳yan杰jie娟juan涛tao明ming超chao兰lan
霞xia平ping刚gang桂gui华hua玉yu萍ping红hong娥e玲ling芬fen燕yan彬bin鹏peng辉hui浩hao宇yu晨chen欣xin怡yi佳jia
子zi涵han梓zi轩xuan雨yu思si博bo文wen斌bin建jian国guo志zhi海hai波bo晓xiao东dong丹dan凤feng雪xue梅mei峰feng俊jun
嘉jia诚cheng天tian中zhong恒heng瑞rui达da通tong泰tai鑫xin盛sheng宏hong远yuan安an康kang信xin联lian创chuang新xin
航hang凯kai德de利li丰feng源yuan隆long晟sheng昊hao瀚han卓zhuo越yue启qi星xing辰chen云yun飞fei腾teng跃yue智zhi
汇hui融rong正zheng和he光guang美mei优you银yin科ke讯xun捷jie奥ao蓝lan易yi百bai顺shun祥xiang兴xing旺wang铭ming
鼎ding立li润run泽ze春chun秋qiu成cheng睿rui永yong益yi乐le富fu宝bao旭xu日ri晶jing亿yi精jing众zhong尚shang锦jin
川chuan森sen环huan骏jun豪hao迈mai拓tuo鸿hong运yun昌chang贵gui品pin
毕bi申shen桓huan端duan涌yong倍bei亲qin夫fu字zi傅fu岂qi喜xi降jiang吴wu超chao朋peng侮wu去qu止zhi知zhi先xian住zhu
全quan车che水shui目mu材cai绵mian涧jian坏huai料liao近jin尤you常chang室shi责ze样yang冒mao盖gai情qing
""".replace("\n", "")))
# look-alike characters (OCR / handwriting slips), not homophones
LOOKALIKE = dict(zip("华中恒瑞通泰鑫远康信新天宇博凯嘉隆晟昊越明海云汇正和光美佳金东方万永日林锦润环科迈晶品龙尚宝贵祥运昌益精",
                     "毕申桓端涌秦森运唐倍亲夫字傅岂喜降晨吴超朋侮去江止知先姜住全车万方水目材绵涧坏料近品晶尤常室责样远冒盖情", strict=True))
PROVINCES = {
    "北京市": ["北京市"], "上海市": ["上海市"], "天津市": ["天津市"], "重庆市": ["重庆市"],
    "广东省": ["广州市", "深圳市", "东莞市", "佛山市", "珠海市"],
    "浙江省": ["杭州市", "宁波市", "温州市", "嘉兴市"],
    "江苏省": ["南京市", "苏州市", "无锡市", "常州市"],
    "山东省": ["济南市", "青岛市", "烟台市"], "四川省": ["成都市", "绵阳市"],
    "湖北省": ["武汉市", "宜昌市"], "福建省": ["福州市", "厦门市", "泉州市"],
    "河南省": ["郑州市", "洛阳市"], "陕西省": ["西安市"], "湖南省": ["长沙市", "株洲市"],
}
PROVINCE_OF = {c: p for p, cs in PROVINCES.items() for c in cs}
# city -> (English name, telephone area code)
CITY_INFO = {
    "北京市": ("Beijing", "010"), "上海市": ("Shanghai", "021"), "天津市": ("Tianjin", "022"), "重庆市": ("Chongqing", "023"),
    "广州市": ("Guangzhou", "020"), "深圳市": ("Shenzhen", "0755"), "东莞市": ("Dongguan", "0769"), "佛山市": ("Foshan", "0757"),
    "珠海市": ("Zhuhai", "0756"), "杭州市": ("Hangzhou", "0571"), "宁波市": ("Ningbo", "0574"), "温州市": ("Wenzhou", "0577"),
    "嘉兴市": ("Jiaxing", "0573"), "南京市": ("Nanjing", "025"), "苏州市": ("Suzhou", "0512"), "无锡市": ("Wuxi", "0510"),
    "常州市": ("Changzhou", "0519"), "济南市": ("Jinan", "0531"), "青岛市": ("Qingdao", "0532"), "烟台市": ("Yantai", "0535"),
    "成都市": ("Chengdu", "028"), "绵阳市": ("Mianyang", "0816"), "武汉市": ("Wuhan", "027"), "宜昌市": ("Yichang", "0717"),
    "福州市": ("Fuzhou", "0591"), "厦门市": ("Xiamen", "0592"), "泉州市": ("Quanzhou", "0595"), "郑州市": ("Zhengzhou", "0371"),
    "洛阳市": ("Luoyang", "0379"), "西安市": ("Xi'an", "029"), "长沙市": ("Changsha", "0731"), "株洲市": ("Zhuzhou", "0731"),
}
PROVINCE_EN = {"广东省": "Guangdong", "浙江省": "Zhejiang", "江苏省": "Jiangsu", "山东省": "Shandong", "四川省": "Sichuan",
               "湖北省": "Hubei", "福建省": "Fujian", "河南省": "Henan", "陕西省": "Shaanxi", "湖南省": "Hunan"}
DISTRICTS = {"高新区": "Hi-tech Zone", "经开区": "Economic Development Zone", "朝阳区": "Chaoyang District",
             "海淀区": "Haidian District", "南山区": "Nanshan District", "福田区": "Futian District",
             "浦东新区": "Pudong New Area", "江北区": "Jiangbei District", "滨江区": "Binjiang District",
             "天河区": "Tianhe District", "工业园区": "Industrial Park", "开发区": "Development Zone"}
ROADS = {"科技路": "Keji Road", "创新大道": "Chuangxin Avenue", "人民路": "Renmin Road", "建设路": "Jianshe Road",
         "中山路": "Zhongshan Road", "解放路": "Jiefang Road", "长江路": "Changjiang Road", "黄河路": "Huanghe Road",
         "学院路": "Xueyuan Road", "软件园路": "Ruanjianyuan Road"}
BUILDINGS = ["创新大厦", "科技大厦", "国际商务中心", "金融中心", "产业园", "总部基地"]
INDUSTRIES = {  # 所属行业 -> (二级行业, word used in company names)
    "制造业": [("汽车零部件", "汽车配件"), ("电子设备", "电子"), ("机械设备", "机械"), ("医疗器械", "医疗器械")],
    "软件和信息技术服务业": [("软件开发", "软件"), ("信息技术服务", "信息技术"), ("互联网平台", "网络科技")],
    "批发和零售业": [("快消品零售", "商贸"), ("医药批发", "医药"), ("电子商务", "电子商务")],
    "建筑业": [("工程施工", "建设工程"), ("装饰装修", "装饰工程")],
    "金融业": [("融资租赁", "融资租赁"), ("保险代理", "保险代理")],
    "教育": [("职业培训", "教育咨询"), ("在线教育", "教育科技")],
    "服务业": [("物流运输", "物流"), ("咨询服务", "管理咨询"), ("广告传媒", "文化传媒")],
}
WORDS = [(ind, sub, word) for ind, subs in INDUSTRIES.items() for sub, word in subs]
WORD_EN = {"汽车配件": "Auto Parts", "电子": "Electronics", "机械": "Machinery", "医疗器械": "Medical Devices",
           "软件": "Software", "信息技术": "Information Technology", "网络科技": "Network Technology", "商贸": "Trading",
           "医药": "Pharmaceutical", "电子商务": "E-Commerce", "建设工程": "Construction Engineering",
           "装饰工程": "Decoration Engineering", "融资租赁": "Financial Leasing", "保险代理": "Insurance Agency",
           "教育咨询": "Education Consulting", "教育科技": "Education Technology", "物流": "Logistics",
           "管理咨询": "Management Consulting", "文化传媒": "Culture Media"}
WORD_PY = {"汽车配件": "Qiche Peijian", "电子": "Dianzi", "机械": "Jixie", "医疗器械": "Yiliao Qixie", "软件": "Ruanjian",
           "信息技术": "Xinxi Jishu", "网络科技": "Wangluo Keji", "商贸": "Shangmao", "医药": "Yiyao",
           "电子商务": "Dianzi Shangwu", "建设工程": "Jianshe Gongcheng", "装饰工程": "Zhuangshi Gongcheng",
           "融资租赁": "Rongzi Zulin", "保险代理": "Baoxian Daili", "教育咨询": "Jiaoyu Zixun", "教育科技": "Jiaoyu Keji",
           "物流": "Wuliu", "管理咨询": "Guanli Zixun", "文化传媒": "Wenhua Chuanmei"}
LEGAL_FORMS = ["有限公司", "有限责任公司", "股份有限公司", "科技有限公司"]
FORM_EN = {"有限公司": ["Co., Ltd.", "Co.,Ltd", "Company Limited", "Ltd."], "有限责任公司": ["Co., Ltd.", "Limited Liability Company"],
           "股份有限公司": ["Co., Ltd.", "Corporation", "Inc."]}
FORM_PY = {"有限公司": "Youxian Gongsi", "有限责任公司": "Youxian Zeren Gongsi", "股份有限公司": "Gufen Youxian Gongsi"}
SIZES = ["小型企业(<100人)", "中型企业(100-500人)", "大型企业(>500人)"]
SOURCES = ["官网注册", "展会拜访", "电话咨询", "转介绍", "线上推广"]
STATUSES = ["潜在客户", "意向客户", "成交客户", "流失客户"]
STATUS_WEIGHTS = [40, 25, 28, 7]
TITLES = ["采购总监", "采购经理", "总经理", "技术总监", "IT经理", "财务总监", "运营经理", "董事长", "副总经理", "项目经理"]
ADDRESS_FORMS = ["总", "经理", "先生", "女士", "工", "主任"]
OWNERS = ["张销售", "李销售", "王销售", "赵销售", "陈销售", "刘销售"]
METHODS = ["电话", "拜访", "邮件", "会议", "线上直播", "微信"]
FEEDBACK = ["有兴趣", "需进一步了解", "暂不考虑", "明确拒绝", "提出异议"]
TOPICS = ["产品方案演示", "合同条款沟通", "售后问题跟进", "报价确认", "需求调研", "续约洽谈", "技术交流"]
SUMMARY_BITS = [
    "客户表示预算有限,希望提供基础版方案", "客户关注数据安全模块,询问是否有金融行业案例",
    "客户需要采购{n}台设备,预算大概{b}万", "客户提出技术咨询,希望安排工程师上门", "客户对价格敏感,要求再给折扣",
    "客户计划下个月启动招标", "客户反馈上次交付延迟,提出异议", "客户希望支持多门店管理与库存同步",
    "客户表示暂不考虑,明年再联系", "客户要求提供竞品对比资料",
]
MAIL_DOMAINS_FREE = ["qq.com", "163.com", "126.com", "sina.com", "gmail.com"]
ROLE_MAILBOXES = ["info", "sales", "admin", "purchase", "service"]
EVENT_KINDS = ["web_visit", "email_open", "email_click", "form_submit", "download"]
HEADERS = ["外部编号", "客户名称", "统一社会信用代码", "所属行业", "二级行业", "客户规模", "关键决策人姓名", "决策人职位",
           "决策人联系方式", "邮箱", "省份", "城市", "客户地址", "客户来源", "首次接触时间", "客户状态", "负责人", "年合作预算"]
MOBILE_PREFIXES = ["130", "131", "132", "133", "135", "136", "137", "138", "139", "150", "151", "152", "157", "158", "159",
                   "166", "176", "177", "178", "180", "181", "182", "183", "185", "186", "187", "188", "189", "191", "198", "199"]
USCC_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # GB 32100-2015 alphabet
USCC_VALUE = {c: i for i, c in enumerate(USCC_CHARS)}
USCC_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]
FULLWIDTH = str.maketrans("()0123456789-+", "（）０１２３４５６７８９－＋")
BUDGETS = [3, 5, 8, 12, 20, 30, 50, 80, 120, 300]
END = dt.date(2026, 11, 1)
assert all(ch in PINYIN for ch in BRAND_CHARS + SURNAMES + GIVEN + "".join(LOOKALIKE.values()))
PROVINCE_LIST = list(PROVINCES)
DISTRICT_LIST = list(DISTRICTS)
ROAD_LIST = list(ROADS)
SAME_SOUND = {ch: [o for o in BRAND_CHARS if o != ch and PINYIN[o] == PINYIN[ch]] for ch in BRAND_CHARS}
