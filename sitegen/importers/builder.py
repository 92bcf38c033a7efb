"""The indicator hierarchy, built row by row: levels carried down merged cells.

A level cell left empty means "same as above" (a merged cell), except where the source
records merges (Word, Excel): there an empty cell that is not merged really has no level.
Text exports add three ambiguities, each settled by a rule that uses only the layout:

- rows that lost their leading cells (`培训开展及时性 | | 及时`) are carried into the group
  above — unless the next labelled row starts a first level of another level set (决策/过程
  → 产出指标): then they belong to neither by evidence and become a group whose levels the
  source does not give (002_….txt, the four rows after 过程);
- a first level printed again with no second level (`产出指标 | | 核酸检测完成及时性`)
  starts a group whose second level is printed later, after a page break (001_….txt #9);
- a new first level printed with no second level (`| 效益指标 | | 法律数据库充实度`) is the
  late label of a merged cell: the open second-level group moves under it (001_….txt #7).
"""

from __future__ import annotations

from . import clean
from .draft import MISSING_VALUE, NO_FIRST_LEVEL, NO_SECOND_LEVEL, Block, Context, Quoted
from .draft import span_of as _span
from .grid import Cell
from .levels import Reading


class LevelBuilder:
    """Turns readings into first levels → second levels → indicators."""

    def __init__(self, ctx: Context, width: int, by_content: bool) -> None:
        self.ctx, self.width, self.by_content = ctx, width, by_content
        self.firsts: list[Block] = []
        self.first: Block | None = None
        self.second: Block | None = None
        self.orphan = False  # the open second level was opened on a row without a first
        self.pending: Block | None = None  # a group whose second level is printed later
        self.before_pending: Block | None = None
        self.held: list[Reading] = []

    # -- feeding ----------------------------------------------------------------------
    def feed(self, r: Reading) -> None:
        first, second = r.state["first"], r.state["second"]
        if "none" in (first, second):
            self._release(boundary=False)
            self._without_levels(r)
        elif "given" not in (first, second):
            if r.name is None:
                return
            if r.shifted:
                self.held.append(r)
                return
            self._release(boundary=False)
        else:
            name = clean.label(r.first.text) if r.first else None
            self._release(boundary=self._crosses(name))
            if name is not None:
                self._given_first(name, r)
            if r.second is not None:
                self._given_second(clean.label(r.second.text), r)
        if r.name is not None:
            self._add(r, r.name)

    def finish(self) -> list[Block]:
        self._release(boundary=False)
        self._undo_pending()
        return self.firsts

    # -- levels -----------------------------------------------------------------------
    def _open_first(self, name: str | None, cell: Cell | None) -> Block:
        first = Block(name=name) if name else Block(note=NO_FIRST_LEVEL)
        first["second_levels"] = []
        if name is None:
            first.review("the source gives no first level here: the note says so; write "
                         "the level if you know it")
        elif cell is not None and cell in self.ctx.unknown_levels:
            first.review(f"'{name}' is not a level name the glossary knows: check it")
        self.firsts.append(first)
        self.first, self.second, self.orphan = first, None, False
        return first

    def _open_second(self, name: str | None, cell: Cell | None, orphan: bool) -> Block:
        first = self.first or self._open_first(None, None)
        second = Block(name=name) if name else Block(note=NO_SECOND_LEVEL)
        second["indicators"] = []
        if name is None:
            second.review("the source gives no second level here: the note says so")
        elif cell is not None and cell in self.ctx.unknown_levels:
            second.review(f"'{name}' is not a level name the glossary knows: check it")
        first["second_levels"].append(second)
        self.second, self.orphan = second, orphan
        return second

    def _given_first(self, name: str, r: Reading) -> None:
        if self.first is not None and name == self.first.get("name"):
            if self.by_content and r.second is None and r.name is not None:
                self._start_pending()
            return
        if (self.by_content and r.second is None and r.name is not None and self.orphan
                and self.second is not None):
            self._move_open_second(name, r.first)
            return
        self._open_first(name, r.first)

    def _given_second(self, name: str, r: Reading) -> None:
        if self.pending is not None and r.first is None:
            self._name_pending(name, r.second)
            return
        self._undo_pending()
        same_first = r.first is None or (self.first is not None and clean.label(
            r.first.text) == self.first.get("name"))
        if self.second is not None and name == self.second.get("name") and same_first:
            return  # the same level printed again on its next row (Kunming prints each)
        self._open_second(name, r.second, orphan=r.first is None)

    def _without_levels(self, r: Reading) -> None:
        """Word/Excel: an empty level cell not merged with the one above: no level."""
        if r.state["first"] == "none":
            if self.first is None or "name" in self.first:
                self._open_first(None, None)
        elif r.first is not None:
            self._given_first(clean.label(r.first.text), r)
        if r.state["second"] == "none":
            if self.second is None or "name" in self.second:
                self._open_second(None, None, orphan=False)
        elif r.second is not None:
            self._open_second(clean.label(r.second.text), r.second, orphan=False)

    # -- the three text-export rules (module docstring) ---------------------------------
    def _crosses(self, name: str | None) -> bool:
        """Whether a new first level belongs to another level set than the open one."""
        if not self.held or name is None or self.first is None:
            return False
        new = self.ctx.glossary.level(1, name)
        old = self.ctx.glossary.level(1, self.first.get("name") or "")
        return bool(new and old and new.level_set != old.level_set)

    def _release(self, boundary: bool) -> None:
        """Place the rows that lost their leading cells (see the module docstring)."""
        held, self.held = self.held, []
        if not held:
            return
        where = _span([r.name for r in held if r.name is not None])
        if not boundary:
            for index, r in enumerate(held):
                if r.name is not None:
                    self._add(r, r.name, carried=len(held) if index == 0 else 0, where=where)
            return
        first = self._open_first(None, None)
        self._open_second(None, None, orphan=False)
        first.reviews[:] = [f"{len(held)} row(s) at {where} lost their level cells and "
                            "stand between two different level sets: no level is guessed "
                            "for them"]
        for r in held:
            if r.name is not None:
                self._add(r, r.name)
        self.first = self.second = None

    def _start_pending(self) -> None:
        self.before_pending = self.second
        self.pending = self._open_second(None, None, orphan=False)
        self.pending.reviews.clear()

    def _name_pending(self, name: str, cell: Cell | None) -> None:
        pending, first = self.pending, self.first
        if pending is None or first is None:
            return
        named = Block(name=name, indicators=pending["indicators"])
        named.review(f"the rows before {self.ctx.at(cell)} had no second level (their first "
                     f"level was printed again above them); the second level printed at "
                     f"{self.ctx.at(cell)}, after the page break, is taken for them")
        levels = first["second_levels"]
        levels[levels.index(pending)] = named
        self.second, self.pending, self.orphan = named, None, False

    def _undo_pending(self) -> None:
        """No second level came for the pending group: the one above is carried down."""
        pending, target, self.pending = self.pending, self.before_pending, None
        if pending is None or self.first is None:
            return
        if target is None:
            pending.review("the source gives no second level for these rows")
            return
        self.first["second_levels"].remove(pending)
        if pending["indicators"]:
            pending["indicators"][0].review("the first level was printed again above this "
                                            "row with no second level; the one above is "
                                            "carried down")
        target["indicators"].extend(pending["indicators"])
        if self.second is pending:
            self.second = target

    def _move_open_second(self, name: str, cell: Cell | None) -> None:
        moved, old = self.second, self.first
        if moved is None or old is None:
            return
        old["second_levels"].remove(moved)
        if not old["second_levels"] and "name" not in old:
            self.firsts.remove(old)
        first = self._open_first(name, cell)
        moved.review(f"the first level '{name}' is printed at {self.ctx.at(cell)}, below "
                     "where this group starts; the group is placed under it")
        first["second_levels"].append(moved)
        self.second, self.orphan = moved, False

    # -- indicators -------------------------------------------------------------------
    def _add(self, r: Reading, name: Cell, carried: int = 0, where: str = "") -> None:
        second = self.second or self._open_second(None, None, orphan=False)
        indicator = Block(name=clean.label(name.text))
        values = [clean.value(cell.text) if cell is not None else None for cell in r.values]
        if not any(values):
            indicator["missing"] = MISSING_VALUE
            indicator.review("the source gives no value for this indicator: check `missing`")
        elif self.width == 1:
            indicator["value"] = Quoted(values[0])
        else:
            indicator["values"] = [Quoted(v) if v else None for v in values]
            if not all(values):
                indicator.review("one of this indicator's values is blank in the source")
        if carried:
            indicator.review(f"{carried} row(s) at {where} lost their leading cells in the "
                             "source; they are placed under the levels above them")
        second["indicators"].append(indicator)
