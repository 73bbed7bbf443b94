"""Protocol tests of the language server in `.moment` files (lsp/moment.rs), with the recorded
capabilities of VS Code and Neovim: syntax and drift diagnostics on the spec, hover, go to
implementation and definition, the outline, completion, semantic tokens, feedback actions."""

from __future__ import annotations

import pytest
import pytest_asyncio
from lsprotocol import types as t

from conftest import CLIENTS, Editor, Workspace, codes, position_of, range_of, same_file, start_editor, stop_editor, watch

SPEC_REL = "spec/sales.moment"

SPEC = """\
context "Sales" [Core]
  aggregate "Order"
    identity orderId: UUID

    command PlaceOrder
      input customerId: UUID, lines: OrderLine[]
      emits OrderPlaced

    event OrderPlaced
      orderId: UUID
      total: Money
      placedAt: DateTime

  value-object OrderLine
    sku: string
"""

IMPL_REL = "src/domain/sales/order.types.ts"

# `total` drifted, `placedAt` is missing, `channel` is the implementation's own (impl-ahead).
IMPL = """\
export interface OrderLine {
  readonly sku: string;
}

export interface PlaceOrder {
  readonly customerId: string;
  readonly lines: readonly OrderLine[];
}

export interface OrderPlaced {
  readonly orderId: string;
  readonly total: number;
  readonly channel: string;
}
"""


@pytest.fixture
def moment_ws(tmp_path) -> Workspace:
    ws = Workspace(tmp_path)
    ws.write(".moment/sync.json", '{ "spec": "spec" }\n')
    ws.write(SPEC_REL, SPEC)
    ws.write(IMPL_REL, IMPL)
    return ws


@pytest_asyncio.fixture(params=CLIENTS)
async def editor(request, moment_ws: Workspace):
    e = watch(await start_editor(moment_ws, request.param), request.node)
    yield e
    await stop_editor(e, request.node)


def at(editor: Editor, uri: str, needle: str, nth: int = 0) -> t.Position:
    return range_of(editor.texts[uri], needle, editor.encoding, nth).start


def has(*wanted: str):
    return lambda diags: all(w in codes(diags) for w in wanted)


async def open_spec(editor: Editor):
    uri = editor.open(SPEC_REL)
    diags = await editor.diagnostics(uri, has("changed-type", "missing-member", "extra-member"))
    return uri, diags


async def test_drift_is_shown_on_the_spec_fields(editor: Editor):
    uri, diags = await open_spec(editor)
    text = editor.texts[uri]
    by_code = {str(d.code): d for d in diags}
    changed = by_code["changed-type"]
    assert changed.range == range_of(text, "total", editor.encoding)
    assert changed.message == (
        "OrderPlaced.total is implemented as `number` in src/domain/sales/order.types.ts (the spec says `Money`)"
    )
    assert changed.source == "moment-sync"
    missing = by_code["missing-member"]
    assert missing.range == range_of(text, "placedAt", editor.encoding)
    # The implementation's own field is feedback for the spec: a hint on the event.
    extra = by_code["extra-member"]
    assert extra.severity == t.DiagnosticSeverity.Hint
    assert extra.range == range_of(text, "OrderPlaced", editor.encoding, 1)
    assert "channel" in extra.message


async def test_impl_ahead_offers_record_as_feedback(editor: Editor):
    uri, diags = await open_spec(editor)
    extra = next(d for d in diags if d.code == "extra-member")
    actions = await editor.actions(uri, extra.range, diags=[extra])
    titles = [a.title for a in actions]
    assert "Record OrderPlaced.channel as feedback for the spec" in titles
    feedback = next(a for a in actions if a.title.startswith("Record"))
    assert feedback.command == "moment-sync.decide"
    assert feedback.arguments[0]["decision"] == "accept"


async def test_syntax_errors_as_you_type_and_the_rest_still_compared(editor: Editor):
    uri, _ = await open_spec(editor)
    editor.replace(uri, "total: Money", "type: Money")
    diags = await editor.diagnostics(uri, has("syntax"))
    syntax = [d for d in diags if d.code == "syntax"]
    assert len(syntax) == 1
    assert "`type` is a reserved word" in syntax[0].message
    assert syntax[0].severity == t.DiagnosticSeverity.Error
    assert syntax[0].range.start == at(editor, uri, "type: Money")
    # Only the broken field is lost: `placedAt` is still missing from the implementation.
    assert "missing-member" in codes(diags)
    editor.replace(uri, "type: Money", "total: Money")
    await editor.diagnostics(uri, lambda d: "syntax" not in codes(d) and "changed-type" in codes(d))


async def test_implementation_diagnostics_follow_the_moment_spec(editor: Editor):
    uri = editor.open(IMPL_REL)
    diags = await editor.diagnostics(uri, has("changed-type", "extra-member"))
    changed = next(d for d in diags if d.code == "changed-type")
    assert "`Money` in the spec" in changed.message
    if changed.related_information:
        assert changed.related_information[0].location.uri.endswith("spec/sales.moment")


async def test_hover_shows_projection_and_implementation(editor: Editor):
    uri, _ = await open_spec(editor)
    hover = await editor.client.text_document_hover_async(
        t.HoverParams(t.TextDocumentIdentifier(uri=uri), at(editor, uri, "total"))
    )
    value = hover.contents.value
    assert "readonly total: Money;" in value
    assert "Implementation (src/domain/sales/order.types.ts)" in value
    assert "readonly total: number" in value
    assert "changed-type" in value


async def test_go_to_implementation_and_definition(editor: Editor):
    uri, _ = await open_spec(editor)
    impl = await editor.client.text_document_implementation_async(
        t.ImplementationParams(t.TextDocumentIdentifier(uri=uri), at(editor, uri, "total"))
    )
    loc = impl if isinstance(impl, t.Location) else impl[0]
    assert same_file(loc.uri, editor.ws.root / IMPL_REL)
    assert loc.range.start.line == 11
    # A type reference goes to the type's declaration in the spec.
    definition = await editor.client.text_document_definition_async(
        t.DefinitionParams(t.TextDocumentIdentifier(uri=uri), at(editor, uri, "OrderLine[]"))
    )
    loc = definition if isinstance(definition, t.Location) else definition[0]
    assert same_file(loc.uri, editor.ws.root / SPEC_REL)
    assert loc.range == range_of(editor.texts[uri], "OrderLine", editor.encoding, 1)


async def test_outline(editor: Editor):
    uri, _ = await open_spec(editor)
    symbols = await editor.client.text_document_document_symbol_async(
        t.DocumentSymbolParams(t.TextDocumentIdentifier(uri=uri))
    )
    [sales] = symbols
    assert (sales.name, sales.kind) == ("Sales", t.SymbolKind.Namespace)
    [order] = sales.children
    assert [c.name for c in order.children] == ["orderId", "PlaceOrder", "OrderPlaced", "OrderLine"]
    event = order.children[2]
    assert event.kind == t.SymbolKind.Event
    assert [f.name for f in event.children] == ["orderId", "total", "placedAt"]
    assert event.children[1].detail == "Money"


async def test_completion_of_type_names(editor: Editor):
    uri, _ = await open_spec(editor)
    editor.replace(uri, "sku: string", "sku: string\n    note: ")
    end = at(editor, uri, "note: ")
    pos = t.Position(line=end.line, character=end.character + len("note: "))
    result = await editor.client.text_document_completion_async(
        t.CompletionParams(t.TextDocumentIdentifier(uri=uri), pos)
    )
    items = result.items if isinstance(result, t.CompletionList) else result
    labels = {i.label for i in items}
    assert {"string", "UUID", "DateTime", "Money", "OrderLine"} <= labels
    assert "OrderPlaced" not in labels  # events are not field types


async def test_semantic_tokens(editor: Editor):
    uri, _ = await open_spec(editor)
    legend = editor.init.capabilities.semantic_tokens_provider.legend
    tokens = await editor.client.text_document_semantic_tokens_full_async(
        t.SemanticTokensParams(t.TextDocumentIdentifier(uri=uri))
    )
    data = list(tokens.data)
    assert data and len(data) % 5 == 0
    # Decode the first tokens: `context` is a keyword, `"Sales"` a string.
    first = data[0:5]
    assert first[:3] == [0, 0, len("context")]
    assert legend.token_types[first[3]] == "keyword"
    second = data[5:10]
    assert legend.token_types[second[3]] == "string"
    types = {legend.token_types[data[i + 3]] for i in range(0, len(data), 5)}
    assert {"keyword", "string", "type", "property"} <= types


async def test_a_loose_moment_file_gets_syntax_diagnostics_and_an_outline(tmp_path, request):
    ws = Workspace(tmp_path)
    ws.write("notes/draft.moment", 'context "Draft"\n  aggregate "Thing"\n    identity id: UUID\n    event Done\n      input: string\n')
    ws.write("generated/x.ts", "export interface X {}\n")
    ws.write("src/domain/x.ts", "export interface X {}\n")
    editor = watch(await start_editor(ws, "neovim"), request.node)
    try:
        uri = editor.open("notes/draft.moment")
        diags = await editor.diagnostics(uri, has("syntax"))
        assert any("`input` is a reserved word" in d.message for d in diags)
        symbols = await editor.client.text_document_document_symbol_async(
            t.DocumentSymbolParams(t.TextDocumentIdentifier(uri=uri))
        )
        assert symbols[0].name == "Draft"
    finally:
        await stop_editor(editor, request.node)


async def test_a_closed_spec_changed_on_disk_updates_the_implementation(editor: Editor):
    uri = editor.open(IMPL_REL)
    await editor.diagnostics(uri, has("changed-type", "extra-member"))
    # The spec, not open in the editor, loses `total` (edited by another program).
    spec = editor.ws.write(SPEC_REL, SPEC.replace("      total: Money\n", ""))
    if getattr(editor.client, "registrations", []):
        # A watching client reports `.moment` files: the server registered them.
        globs = [w["globPattern"] for r in editor.client.registrations for w in r.register_options["watchers"]]
        assert "**/*.moment" in globs
        editor.client.workspace_did_change_watched_files(
            t.DidChangeWatchedFilesParams(changes=[t.FileEvent(uri=spec.as_uri(), type=t.FileChangeType.Changed)])
        )
    diags = await editor.diagnostics(uri, lambda d: "changed-type" not in codes(d))
    assert [d for d in diags if d.code == "extra-member" and "total" in d.message]


async def test_definition_of_an_implementation_member_without_drift_opens_the_moment_line(editor: Editor):
    uri = editor.open(IMPL_REL)
    await editor.diagnostics(uri, has("changed-type"))
    # `orderId` and `sku` agree with the spec: no drift point, yet the spec is the `.moment`
    # line, not the TypeScript the emitter would write.
    for needle, spec_needle in [("orderId", "orderId: UUID\n      total"), ("sku", "sku: string")]:
        definition = await editor.client.text_document_definition_async(
            t.DefinitionParams(t.TextDocumentIdentifier(uri=uri), at(editor, uri, needle))
        )
        locs = definition if isinstance(definition, list) else [definition]
        assert locs and locs[0] is not None, f"no definition for {needle}"
        loc = locs[0]
        uri_of = getattr(loc, "uri", None) or loc.target_uri
        start = loc.range.start if hasattr(loc, "range") else loc.target_selection_range.start
        assert same_file(uri_of, editor.ws.root / SPEC_REL), (needle, uri_of)
        spec_text = editor.ws.files[SPEC_REL]
        assert start.line == spec_text[: spec_text.index(spec_needle)].count("\n"), (needle, start)


async def test_the_log_names_the_moment_spec(editor: Editor):
    uri = editor.open(IMPL_REL)
    await editor.diagnostics(uri, has("changed-type"))
    [line] = [m.message for m in editor.client.log_messages if m.message.startswith("workspace ")]
    assert "(spec `spec`, implementation side `src/domain`)" in line, line
    assert "generated" not in line
