"""The sandbox's people: every role, two sales teams. Reps carry the generator's owner names."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Persona:
    username: str
    display_name: str
    role: str
    team: str | None


TEAMS = {"华东销售部": "华东", "华南销售部": "华南"}

PERSONAS: tuple[Persona, ...] = (
    Persona("admin", "系统管理员", "admin", None),
    Persona("zhang", "张销售", "rep", "华东销售部"),
    Persona("li", "李销售", "rep", "华东销售部"),
    Persona("wang", "王销售", "rep", "华东销售部"),
    Persona("zhao", "赵销售", "rep", "华南销售部"),
    Persona("chen", "陈销售", "rep", "华南销售部"),
    Persona("liu", "刘销售", "rep", "华南销售部"),
    Persona("zhou", "周经理", "manager", "华东销售部"),
    Persona("wu", "吴经理", "manager", "华南销售部"),
    Persona("sun", "孙客服", "support", None),
    Persona("zheng", "郑市场", "marketing", None),
    Persona("feng", "冯总", "executive", None),
    Persona("he", "何数据", "steward", None),
    Persona("qian", "钱会计", "finance", None),
)
