"""How sitegen compiles templates, beyond what Jinja does: the same words, less work.

1. Includes compiled in place (IncludeInliner).
2. Calls of the page's Localizer made directly (DirectCalls).
3. Attributes of a name read directly (CodeGenerator.visit_Getattr).

Both are undone, for naming a fault's partial and line, by `stock=True` in
render.make_environment.

## 1. Includes in place

`{% include "_x.html" %}` becomes the partial's own code, in a scope of its own, as the
including template is compiled.

Jinja's include does, at every page and for every include (13 a table page), what an
inlined partial does not: it finds the template, copies the whole context into a new one,
and chains the partial's output through a generator of its own. That was 5 % of a
build's CPU.

The words must come out exactly as with Jinja's include, so a partial is inlined only
where that is certain, and stays an include elsewhere:

- A scope keeps the partial's `{% set %}`s to itself, as an include does, and lets it read
  the including template's names, as an include "with context" does.
- An include reads a name the including code has not yet set from the context; inlined,
  it would read the unset local instead. So a partial is inlined only if each name it
  reads is either never set in the including block (or template, or loop), or certainly
  set before the include: by a `{% set %}` earlier in the same body, or by an enclosing
  `{% for %}` or `{% with %}`.
- An include sees neither the including code's `loop` nor a macro's `varargs`, `kwargs`
  or `caller`; a partial that reads them outside loops of its own stays an include.
- So do partials with blocks, macros, imports or `extends` (they would become the
  including template's own), includes inside macros and call blocks, and includes of a
  template already being inlined (a partial that includes itself).

Line numbers in the compiled code are the partial's own, under the including template's
name, so `render_page` renders a failed page again with includes kept (`stock=True`)
to name the partial and line where the fault is.

## 2. Direct calls

Jinja compiles `{{ l.text(x) }}` to `context.call(environment.getattr(l, "text"), x)`: two
calls of its own around every call of a template, to find the attribute by either
spelling and to look for a `pass_context`-style marker on the function. The page's `l` is
render.Localizer, whose methods are plain, so such a call is compiled as `l.text(x)` when
`l` is one (120 calls a table page, 3 % of a build), and as Jinja's call otherwise.

## 3. Attributes read directly

Jinja compiles `{{ row.name }}` to `environment.getattr(row, "name")`, a Python function
that tries the attribute, then the item, then makes an undefined value. Where the object
is a name (`row`, `table`: nearly all of them), it is compiled as Python's own
`getattr(row, "name", NO_ATTRIBUTE)`, and only where that finds nothing as Jinja's call,
which then tries the item and fails as Jinja fails. Same words, same faults; about a
thousand such reads a table, 3 % of a build's CPU. (An attribute that is not there is
looked for twice, where Jinja looks once: harmless but for an object whose attribute
lookup does something, which no object sitegen gives a template does.)
"""

from __future__ import annotations

from collections.abc import Iterator
from keyword import iskeyword as is_python_keyword

import jinja2
import jinja2.compiler
from jinja2 import nodes
from jinja2.visitor import NodeTransformer

_KEPT_AS_INCLUDES = (nodes.Extends, nodes.Block, nodes.Macro, nodes.Import, nodes.FromImport)
# What an include does not see of the including code, though an inlined partial would:
# its loop, its macro's arguments, its own template (`self`, `super()`).
_INCLUDES_CANNOT_SEE = {"loop", "varargs", "kwargs", "caller", "self", "super"}
# Not entered: macro and call-block bodies are code of their own, and a partial included
# under `{% autoescape %}` escapes as its own template says, not as the block does.
_NOT_ENTERED = (nodes.Macro, nodes.CallBlock, nodes.ScopedEvalContextModifier)


class IncludeInliner:
    def __init__(self, environment: jinja2.Environment, within: tuple[str | None, ...],
                 compiles: dict[str, bool]) -> None:
        self.environment = environment
        self.within = within  # the templates being inlined into: a loop stays an include
        self.compiles = compiles  # whether Jinja compiles each partial, found out once

    def inline(self, template: nodes.Template) -> nodes.Template:
        if any(type(found) is nodes.EvalContextModifier
               for found in template.find_all(nodes.EvalContextModifier)):
            return template  # escaping switched for the rest of the template: left alone
        # A child template's own output is dropped, but an include's is not.
        self._function(template, keep_includes=template.find(nodes.Extends) is not None)
        return template

    def _function(self, root: nodes.Node, keep_includes: bool = False) -> None:
        """The template's top level, or a block: one Python function of compiled code,
        whose locals are the names bound anywhere in it."""
        self.keep_includes, self.loop_given = keep_includes, True
        self._within(root, _bound_names(root), frozenset())

    def _within(self, node: nodes.Node, assigned: set[str], certain: frozenset[str]) -> None:
        if isinstance(node, nodes.For):  # see _gives_loop
            gives_loop, self.loop_given = self.loop_given, _gives_loop(node)
            self._fields(node, assigned, certain)
            self.loop_given = gives_loop
        else:
            self._fields(node, assigned, certain)

    def _fields(self, node: nodes.Node, assigned: set[str], certain: frozenset[str]) -> None:
        for field in node.fields:
            value = getattr(node, field)
            if isinstance(value, list):
                self._body(value, assigned, certain | _set_by_enclosing(node, field))
            elif isinstance(value, nodes.Node):
                self._child(value, assigned, certain)

    def _body(self, body: list, assigned: set[str], certain: frozenset[str]) -> None:
        for index, statement in enumerate(body):
            if isinstance(statement, nodes.Include) and not self.keep_includes:
                body[index] = self._inlined(statement, assigned, certain)
            elif isinstance(statement, nodes.Node):
                self._child(statement, assigned, certain)
            if isinstance(statement, nodes.Assign | nodes.AssignBlock):
                certain = certain | _names(statement.target)

    def _child(self, node: nodes.Node, assigned: set[str], certain: frozenset[str]) -> None:
        if isinstance(node, nodes.Block):
            outside = self.keep_includes, self.loop_given
            self._function(node)
            self.keep_includes, self.loop_given = outside
        elif not isinstance(node, _NOT_ENTERED):
            self._within(node, assigned, certain)

    def _inlined(self, include: nodes.Include, assigned: set[str], certain: frozenset[str]
                 ) -> nodes.Node:
        name = include.template.value if isinstance(include.template, nodes.Const) else None
        if (not isinstance(name, str) or name in self.within or not include.with_context
                or include.ignore_missing):
            return include
        partial = self._partial(name)
        if partial is None or any(True for _ in partial.find_all(_KEPT_AS_INCLUDES)):
            return include
        partial = IncludeInliner(self.environment, (*self.within, name),
                                 self.compiles).inline(partial)
        reads = set(_reads_from_outside(partial))
        if reads & (assigned - certain) or reads & _INCLUDES_CANNOT_SEE:
            return include
        # In a loop that does not give `loop` yet, a partial's own `loop` would make it
        # give it, to the includes and imports with context beside it (_gives_loop).
        if not self.loop_given and any(
                found.name == "loop" for found in partial.find_all(nodes.Name)):
            return include
        return nodes.Scope(partial.body, lineno=include.lineno)

    def _partial(self, name: str) -> nodes.Template | None:
        """The partial's tree, or None where Jinja's include would fail, but only when it
        runs: a partial missing, unreadable, not UTF-8, or that Jinja cannot compile (a
        syntax error, an unknown filter or test) stays an include, which fails where
        Jinja's fails."""
        loader = self.environment.loader
        assert loader is not None
        try:
            source, filename, _ = loader.get_source(self.environment, name)
            if name not in self.compiles:
                self.compiles[name] = False
                jinja2.compiler.generate(
                    jinja2.Environment._parse(self.environment, source, name, filename),
                    self.environment, name, filename)
                self.compiles[name] = True
            if not self.compiles[name]:
                return None
            return jinja2.Environment._parse(self.environment, source, name, filename)
        except (jinja2.TemplateNotFound, jinja2.TemplateSyntaxError, UnicodeError, OSError):
            return None


def _gives_loop(loop: nodes.For) -> bool:
    """Whether Jinja makes `loop` for this for-loop, and so hands it to the includes and
    imports with context in its body: a recursive loop, one with a scoped block, or one
    whose body reads `loop` anywhere, nested loops included (jinja2.compiler.visit_For)."""
    return (loop.recursive or any(block.scoped for block in loop.find_all(nodes.Block))
            or "loop" in jinja2.compiler.find_undeclared(
                loop.iter_child_nodes(only=("body",)), ("loop",)))


def _bound_names(root: nodes.Node) -> set[str]:
    """Every name set in `root`: by `set`, `for` and `with`, and by macros and imports."""
    bound = {found.name for found in root.find_all(nodes.Name) if found.ctx != "load"}
    bound |= {macro.name for macro in root.find_all(nodes.Macro)}
    bound |= {found.target for found in root.find_all(nodes.Import)}
    for found in root.find_all(nodes.FromImport):
        bound |= {alias if isinstance(alias, str) else alias[-1] for alias in found.names}
    return bound


def _set_by_enclosing(node: nodes.Node, field: str) -> frozenset[str]:
    """Names certainly set in `node`'s `field` by `node` itself: a loop's (and `loop`) or
    a `with`'s."""
    if isinstance(node, nodes.For) and field == "body":
        return _names(node.target) | {"loop"}
    if isinstance(node, nodes.With) and field == "body":
        return frozenset(name for target in node.targets for name in _names(target))
    return frozenset()


def _names(target: nodes.Node) -> frozenset[str]:
    return frozenset(found.name for found in target.find_all(nodes.Name)) | (
        {target.name} if isinstance(target, nodes.Name) else set())


def _reads_from_outside(node: nodes.Node, bound: frozenset[str] = frozenset()
                        ) -> Iterator[str]:
    """The names a partial reads, but those its own `{% for %}`s and `{% with %}`s set
    where they set them (`loop` among them)."""
    if isinstance(node, nodes.Name | nodes.NSRef) and getattr(node, "ctx", "load") == "load":
        if node.name not in bound:  # `{% set ns.a = 1 %}` reads `ns` too
            yield node.name
        return
    for field in node.fields:
        inside = bound | _set_by_enclosing(node, field)
        value = getattr(node, field)
        for child in value if isinstance(value, list) else [value]:
            if isinstance(child, nodes.Node):
                yield from _reads_from_outside(child, inside)


LOCALIZER = "l"  # the name render.HtmlRenderer gives the page's Localizer
# The global through which compiled templates know render.Localizer (render._Template).
LOCALIZER_CLASS = "sitegen_localizer_class"
# The globals through which compiled templates read attributes (CodeGenerator.visit_Getattr):
# the value "no such attribute" (NO_ATTRIBUTE, render._Template), and the name each read is
# held in for a moment.
NO_ATTRIBUTE_NAME = "sitegen_no_attribute"
NO_ATTRIBUTE = object()
_ATTRIBUTE = "sitegen_attribute"


class DirectCalls(NodeTransformer):
    """Marks each call `l.method(…)` of one of `methods` `direct` (Jinja allows no node
    types of our own). Any other name keeps Jinja's call and its messages: a misspelt
    method, `l.class()` (no Python call can be written for it), `l.ｕｉ()` (which Python
    would read as `l.ui()`)."""

    def __init__(self, methods: frozenset[str]) -> None:
        self.methods = methods

    def calls(self, template: nodes.Template) -> nodes.Template:
        return self.visit(template)

    def visit_Call(self, call: nodes.Call) -> nodes.Node:
        self.generic_visit(call)
        callee = call.node
        call.direct = (  # type: ignore[attr-defined]
            isinstance(callee, nodes.Getattr) and isinstance(callee.node, nodes.Name)
            and callee.node.name == LOCALIZER and callee.node.ctx == "load"
            and callee.attr in self.methods
            and not call.dyn_args and not call.dyn_kwargs
            and not any(is_python_keyword(keyword.key) for keyword in call.kwargs))
        return call


class CodeGenerator(jinja2.compiler.CodeGenerator):
    """Jinja's code generator, writing a call marked `direct` as a plain Python call, and
    an attribute of a name as Python's getattr (this module's part 3)."""

    @jinja2.compiler.optimizeconst
    def visit_Getattr(self, node: nodes.Getattr, frame: jinja2.compiler.Frame) -> None:
        # A name only: it is read twice where the attribute is not found, and reading a
        # name twice does nothing twice. The attribute goes to getattr as a string, never
        # as Python source (`row.class`, or `row.ｎａｍｅ`, which Python reads as row.name).
        if (self.environment.is_async or getattr(self.environment, "stock", True)
                or not isinstance(node.node, nodes.Name)):
            super().visit_Getattr(node, frame)
            return
        self.write(f"({_ATTRIBUTE} if ({_ATTRIBUTE} := getattr(")
        self.visit(node.node, frame)
        self.write(f", {node.attr!r}, {NO_ATTRIBUTE_NAME})) is not {NO_ATTRIBUTE_NAME} else ")
        super().visit_Getattr(node, frame)
        self.write(")")

    def visit_Call(self, call: nodes.Call, frame: jinja2.compiler.Frame,
                   forward_caller: bool = False) -> None:
        if forward_caller or not getattr(call, "direct", False):
            super().visit_Call(call, frame, forward_caller=forward_caller)
            return
        # `l` is the Localizer on every page sitegen renders, but a template can give the
        # name to something else (a child template's `set`, an import, a loop around an
        # include): then the call is Jinja's own.
        assert isinstance(call.node, nodes.Getattr)
        self.write("(")
        self.visit(call.node.node, frame)
        self.write(f".{call.node.attr}(")
        for index, argument in enumerate([*call.args, *call.kwargs]):
            if index:
                self.write(", ")
            self.visit(argument, frame)
        self.write(") if ")
        self.visit(call.node.node, frame)
        self.write(f".__class__ is {LOCALIZER_CLASS} else ")
        super().visit_Call(call, frame)
        self.write(")")
