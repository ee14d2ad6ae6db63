"""Business cards drawn with Pillow and a CJK font, for the OCR tests and bench/ocr.py."""

from __future__ import annotations

from typing import Any

from kehu.intake.capture.cardimage import FONT, LAYOUTS, render_card

__all__ = ["FONT", "PEOPLE", "cards"]

# (expected fields, layout, lines as printed: (text, size)); phones expected in E.164.
PEOPLE: list[dict[str, str]] = [
    dict(name="张伟", title="销售总监", company="上海华东精密机械有限公司", mobile="13812345678",
         phone="021-62345678", email="zhangwei@hdjm.com.cn", address="上海市浦东新区张江路100号",
         website="www.hdjm.com.cn"),
    dict(name="李娜", title="采购经理", company="深圳市南山电子科技有限公司", mobile="13923456789",
         phone="0755-86001234", email="lina@nsdz.cn", address="广东省深圳市南山区科技园南路8号",
         website="www.nsdz.cn"),
    dict(name="王建国", title="总经理", company="北京京北建材集团", mobile="13501234567",
         phone="010-84561234", email="wjg@jbjc.com", address="北京市朝阳区建国路88号SOHO大厦A座1201室",
         website=""),
    dict(name="刘洋", title="技术总监", company="杭州云智软件股份公司", mobile="18667891234",
         phone="", email="liuyang@yunzhi.com", address="浙江省杭州市西湖区文三路478号",
         website="www.yunzhi.com"),
    dict(name="陈静", title="市场部经理", company="成都天府食品有限公司", mobile="13398765432",
         phone="028-85123456", email="chenjing@tffood.cn", address="四川省成都市武侯区人民南路四段12号",
         website=""),
    dict(name="David Chen", title="Sales Director", company="Everbright Trading Co., Ltd",
         mobile="13611112222", phone="021-50501234", email="david.chen@everbright-trade.com",
         address="Room 1803, 88 Century Avenue, Pudong, Shanghai", website="www.everbright-trade.com"),
    dict(name="Emily Wang", title="Purchasing Manager", company="Sunrise Technologies Inc",
         mobile="15800001111", phone="", email="emily.wang@sunrise-tech.com",
         address="No. 5 Keji Road, Building 3, Suzhou", website="www.sunrise-tech.com"),
    dict(name="赵磊", title="工程师", company="武汉光谷激光研究院", mobile="13720202020",
         phone="027-87654321", email="zhaolei@ggjg.org.cn", address="湖北省武汉市洪山区光谷大道77号",
         website=""),
    dict(name="孙丽", title="财务总监", company="南京金陵医药集团", mobile="15951234567",
         phone="025-84701234", email="sunli@jlyy.com", address="江苏省南京市玄武区中山路200号",
         website="www.jlyy.com"),
    dict(name="周强", title="董事长", company="青岛海润船舶有限公司", mobile="13906390639",
         phone="0532-80901234", email="zhouqiang@hrcb.cn", address="山东省青岛市黄岛区海港路15号",
         website="www.hrcb.cn"),
    dict(name="吴敏", title="客户经理", company="招商银行广州分行", mobile="13802580258",
         phone="020-38881234", email="wumin@cmbgz.com", address="广东省广州市天河区珠江新城华夏路10号",
         website=""),
    dict(name="Michael Zhang", title="CEO", company="Bluewave Robotics Ltd", mobile="17701234567",
         phone="", email="michael@bluewave.ai", address="", website="www.bluewave.ai"),
    dict(name="郑芳", title="行政主管", company="西安古城文化传媒有限公司", mobile="18991234567",
         phone="029-88451234", email="zhengfang@gcwh.cn", address="陕西省西安市雁塔区小寨东路1号",
         website=""),
    dict(name="黄涛", title="项目经理", company="重庆山城建设工程有限公司", mobile="13452345678",
         phone="023-63101234", email="huangtao@scjs.com.cn", address="重庆市渝中区解放碑民族路168号",
         website="www.scjs.com.cn"),
    dict(name="林晓", title="设计师", company="厦门鹭岛设计工作室", mobile="15060001234",
         phone="", email="linxiao@ludao.design", address="福建省厦门市思明区环岛路9号", website=""),
    dict(name="何军", title="采购主管", company="长沙湘江机械制造有限公司", mobile="13973112345",
         phone="0731-84561234", email="hejun@xjjx.com", address="湖南省长沙市岳麓区麓谷大道66号",
         website="www.xjjx.com"),
    dict(name="Lisa Li", title="Marketing Manager", company="Pacific Foods Group",
         mobile="13588889999", phone="0571-87651234", email="lisa.li@pacificfoods.com",
         address="", website="www.pacificfoods.com"),
    dict(name="马超", title="副总经理", company="天津滨海物流集团", mobile="13612345432",
         phone="022-25301234", email="machao@bhwl.cn", address="天津市滨海新区港城大道300号",
         website=""),
    dict(name="高洁", title="人事经理", company="合肥科大讯通有限公司", mobile="15556781234",
         phone="0551-65431234", email="gaojie@kdxt.com", address="安徽省合肥市蜀山区黄山路5号",
         website=""),
    dict(name="罗斌", title="销售代表", company="昆明彩云茶业有限公司", mobile="13888123456",
         phone="", email="luobin@cyty.cn", address="云南省昆明市五华区青年路18号",
         website="www.cyty.cn"),
]  # fmt: skip


def cards() -> list[tuple[dict[str, str], str, Any]]:
    """The 20 test cards: (expected fields, layout, image)."""
    return [(p, LAYOUTS[i % len(LAYOUTS)], render_card(p, LAYOUTS[i % len(LAYOUTS)]))
            for i, p in enumerate(PEOPLE)]  # fmt: skip
