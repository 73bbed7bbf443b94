"""Protocol tests of `moment-sync lsp` with the recorded capabilities of VS Code and Neovim."""

from __future__ import annotations

import asyncio

import pytest
from lsprotocol import types as t
from pytest_lsp import client_capabilities

from conftest import (
    CLIENTS,
    IMPL,
    IMPL_PATH,
    SPEC,
    SPEC_PATH,
    Editor,
    apply_edits,
    codes,
    edits_by_uri,
    make_workspace,
    position_of,
    range_of,
    same_file,
    start_editor,
    stop_editor,
    watch,
)

TOTAL_LINE = 3  # `total: /* 😀é */ string;` in IMPL (0-based)


def the(diags, code: str) -> t.Diagnostic:
    found = [d for d in diags if d.code == code]
    assert len(found) == 1, f"expected one {code}, got {codes(diags)}"
    return found[0]


def has(*wanted: str):
    return lambda diags: all(w in codes(diags) for w in wanted)


def lacks(code: str):
    return lambda diags: code not in codes(diags)


async def opened(editor: Editor, rel: str = IMPL_PATH, text: str | None = None):
    uri = editor.open(rel, text)
    diags = await editor.diagnostics(uri, has("changed-type", "missing-member") if rel == IMPL_PATH else has("missing-member"))
    return uri, diags


def is_vscode(editor: Editor) -> bool:
    return editor.encoding == "utf-16"


async def test_initialize_negotiates_encoding_and_capabilities(editor: Editor):
    caps = editor.init.capabilities
    # Neovim offers UTF-8 and gets it; VS Code offers nothing and gets the mandatory UTF-16.
    assert editor.encoding in ("utf-8", "utf-16")
    assert caps.text_document_sync.change == t.TextDocumentSyncKind.Incremental
    assert caps.hover_provider and caps.definition_provider and caps.code_lens_provider
    assert "source.fixAll.moment-sync" in caps.code_action_provider.code_action_kinds
    # Neither recorded client can be asked to re-pull, so both get pushed diagnostics.
    assert caps.diagnostic_provider is None
    assert editor.init.server_info.name == "moment-sync"


@pytest.mark.parametrize("name,encoding", [("visual-studio-code", "utf-16"), ("neovim", "utf-8")])
async def test_each_client_gets_its_encoding(workspace, request, name, encoding):
    e = watch(await start_editor(workspace, name), request.node)
    try:
        assert e.encoding == encoding
    finally:
        await stop_editor(e, request.node)


async def test_open_shows_drift_with_spec_details(editor: Editor):
    uri, diags = await opened(editor)
    total = the(diags, "changed-type")
    assert total.source == "moment-sync"
    assert total.severity == t.DiagnosticSeverity.Error  # category 3 by default
    assert total.range.start.line == TOTAL_LINE
    assert "total" in total.message
    note = the(diags, "missing-member")
    assert note.severity == t.DiagnosticSeverity.Information  # optional member: category 1
    related = total.related_information[0].location
    assert same_file(related.uri, editor.ws.root / SPEC_PATH)
    assert related.range.start.line == 2
    if is_vscode(editor):
        assert total.code_description.href.endswith("#changed-type")
    else:  # Neovim's recorded capabilities do not include codeDescription
        assert total.code_description is None
    assert total.data["driftId"] and total.data["fixes"][0]["title"]


async def test_spec_file_shows_what_the_implementation_lacks(editor: Editor):
    uri, diags = await opened(editor, SPEC_PATH)
    note = the(diags, "missing-member")
    assert note.range.start.line == 3
    assert "changed-type" not in codes(diags)


async def test_edit_updates_diagnostics(editor: Editor):
    uri, _ = await opened(editor)
    editor.replace(uri, "/* 😀é */ string", "/* 😀é */ number")
    diags = await editor.diagnostics(uri, lacks("changed-type"))
    assert "missing-member" in codes(diags)
    editor.replace(uri, "/* 😀é */ number", "/* 😀é */ boolean")
    diags = await editor.diagnostics(uri, has("changed-type"))
    assert "boolean" in the(diags, "changed-type").message


async def test_quick_fix_applies_and_the_diagnostic_goes(editor: Editor):
    uri, diags = await opened(editor)
    total = the(diags, "changed-type")
    actions = await editor.actions(uri, total.range, diags=[total])
    fixes = [a for a in actions if isinstance(a, t.CodeAction) and a.kind == t.CodeActionKind.QuickFix and a.diagnostics and a.diagnostics[0].code == "changed-type"]
    preferred = [a for a in fixes if a.is_preferred]
    assert len(preferred) == 1, [a.title for a in actions]
    by_uri, _ = edits_by_uri(preferred[0].edit)
    [(edit_uri, edits)] = by_uri.items()
    assert same_file(edit_uri, editor.ws.root / IMPL_PATH)
    if is_vscode(editor):  # documentChanges, versioned with the analysed version
        assert preferred[0].edit.document_changes[0].text_document.version == editor.versions[uri]
    else:
        assert preferred[0].edit.changes is not None
    editor.apply(preferred[0].edit)
    assert "total: /* 😀é */ number;" in editor.texts[uri]
    diags = await editor.diagnostics(uri, lacks("changed-type"))
    assert "missing-member" in codes(diags)


async def test_fix_all_applies_every_clean_fix(editor: Editor):
    uri, diags = await opened(editor)
    whole = t.Range(start=t.Position(0, 0), end=t.Position(99, 0))
    actions = await editor.actions(uri, whole, only=["source.fixAll"])
    [fix_all] = [a for a in actions if a.kind == "source.fixAll.moment-sync"]
    assert all(a.kind == "source.fixAll.moment-sync" for a in actions)
    editor.apply(fix_all.edit)
    assert "note?: string" in editor.texts[uri]
    diags = await editor.diagnostics(uri, lacks("missing-member"))
    # Category 3 is not "clean": fix-all leaves it to the developer.
    assert "changed-type" in codes(diags)


async def test_show_in_spec(editor: Editor):
    uri, diags = await opened(editor)
    total = the(diags, "changed-type")
    actions = await editor.actions(uri, total.range, diags=[total])
    [action] = [a for a in actions if a.kind == "quickfix.moment-sync.show"]
    show = action.command
    assert action.edit is None and action.title == "Show Invoice.total in spec"
    assert show.command == "moment-sync.showSpec" and show.title == "Show Invoice.total in spec"
    await editor.client.workspace_execute_command_async(
        t.ExecuteCommandParams(command=show.command, arguments=show.arguments)
    )
    [shown] = editor.client.shown_documents
    assert same_file(shown.uri, editor.ws.root / SPEC_PATH)
    assert shown.selection.start.line == 2


async def test_hover_explains_the_drift(editor: Editor):
    uri, _ = await opened(editor)
    text = editor.texts[uri]
    pos = position_of(text, text.index("total") + 2, editor.encoding)
    hover = await editor.client.text_document_hover_async(
        t.HoverParams(text_document=t.TextDocumentIdentifier(uri=uri), position=pos)
    )
    value = hover.contents.value
    assert hover.contents.kind == t.MarkupKind.Markdown
    assert "total: number" in value  # the spec's text
    assert "changed-type" in value and "spec-ahead" in value
    assert "category 3" in value and "breaking" in value
    assert "Fix:" in value
    assert hover.range == range_of(text, "total", editor.encoding)


async def test_hover_on_a_type_without_drift_shows_the_spec(editor: Editor):
    uri, _ = await opened(editor)
    text = editor.texts[uri]
    pos = position_of(text, text.index("id: string"), editor.encoding)
    hover = await editor.client.text_document_hover_async(
        t.HoverParams(text_document=t.TextDocumentIdentifier(uri=uri), position=pos)
    )
    assert "readonly id: string" in hover.contents.value
    assert "category" not in hover.contents.value


async def test_definition_goes_to_the_spec(editor: Editor):
    uri, _ = await opened(editor)
    text = editor.texts[uri]
    for needle, line in (("total", 2), ("Invoice", 0)):
        pos = position_of(text, text.index(needle) + 1, editor.encoding)
        loc = await editor.client.text_document_definition_async(
            t.DefinitionParams(text_document=t.TextDocumentIdentifier(uri=uri), position=pos)
        )
        assert same_file(loc.uri, editor.ws.root / SPEC_PATH)
        assert loc.range == range_of(SPEC, needle, editor.encoding)
        assert loc.range.start.line == line


async def test_code_lens_counts_drift(editor: Editor):
    uri, _ = await opened(editor)
    lenses = await editor.client.text_document_code_lens_async(
        t.CodeLensParams(text_document=t.TextDocumentIdentifier(uri=uri))
    )
    [lens] = lenses
    assert lens.range.start.line == 1
    assert lens.command.title == "2 drift points · category 3"


async def test_code_lens_can_be_turned_off(workspace, request):
    e = watch(await start_editor(workspace, "neovim", init_options={"codeLens": False}), request.node)
    try:
        uri, _ = await opened(e)
        lenses = await e.client.text_document_code_lens_async(
            t.CodeLensParams(text_document=t.TextDocumentIdentifier(uri=uri))
        )
        assert not lenses
    finally:
        await stop_editor(e, request.node)


async def test_spec_change_on_disk_refreshes_open_documents(editor: Editor):
    uri, _ = await opened(editor)
    spec_path = editor.ws.write(SPEC_PATH, SPEC.replace("total: number", "total: string"))
    if is_vscode(editor):
        # VS Code watches for the server (registered dynamically) and reports the change.
        [registration] = editor.client.registrations
        assert registration.method == "workspace/didChangeWatchedFiles"
        editor.client.workspace_did_change_watched_files(
            t.DidChangeWatchedFilesParams(changes=[t.FileEvent(uri=spec_path.as_uri(), type=t.FileChangeType.Changed)])
        )
    # Neovim's recorded capabilities cannot watch: the server notices by itself.
    diags = await editor.diagnostics(uri, lacks("changed-type"))
    assert "missing-member" in codes(diags)


async def test_severity_from_settings(workspace, request):
    e = watch(
        await start_editor(workspace, "visual-studio-code", settings={"severity": {"3": "hint"}}),
        request.node,
    )
    try:
        _, diags = await opened(e)
        assert the(diags, "changed-type").severity == t.DiagnosticSeverity.Hint
    finally:
        await stop_editor(e, request.node)


def pull_capabilities() -> t.ClientCapabilities:
    caps = client_capabilities("neovim")
    caps.workspace.diagnostics = t.DiagnosticWorkspaceClientCapabilities(refresh_support=True)
    return caps


async def test_pull_diagnostics(workspace, request):
    e = watch(await start_editor(workspace, pull_capabilities()), request.node)
    try:
        assert e.init.capabilities.diagnostic_provider is not None
        uri, diags = await opened(e)
        assert the(diags, "changed-type").range.start.line == TOTAL_LINE
        report = await e.client.workspace_diagnostic_async(t.WorkspaceDiagnosticParams(previous_result_ids=[]))
        by_uri = {i.uri: i for i in report.items}
        assert "changed-type" in codes(by_uri[uri].items)
        assert by_uri[uri].version == e.versions[uri]
        # A spec change on disk: the server asks the client to pull again.
        refreshes = e.client.diagnostic_refresh_count
        e.ws.write(SPEC_PATH, SPEC.replace("total: number", "total: string"))
        deadline = asyncio.get_running_loop().time() + 15
        while e.client.diagnostic_refresh_count == refreshes:
            assert asyncio.get_running_loop().time() < deadline, "no workspace/diagnostic/refresh"
            await asyncio.sleep(0.05)
        diags = await e.diagnostics(uri)
        assert "changed-type" not in codes(diags)
        # Pulling clients are never pushed to.
        assert uri not in e.published
    finally:
        await stop_editor(e, request.node)


@pytest.mark.parametrize("name", CLIENTS)
async def test_multibyte_positions(tmp_path, request, name):
    impl = IMPL.replace("  total:", "  /* ü😀𝄞 */ total:")
    ws = make_workspace(tmp_path, impl=impl)
    e = watch(await start_editor(ws, name), request.node)
    try:
        uri, diags = await opened(e)
        text = e.texts[uri]
        # The fix replaces exactly `string`, after characters of 2, 4 and 4 UTF-8 bytes
        # (1, 2, 2 UTF-16 units).
        total = the(diags, "changed-type")
        actions = await e.actions(uri, total.range, diags=[total])
        preferred = next(a for a in actions if isinstance(a, t.CodeAction) and a.is_preferred)
        [(_, edits)] = edits_by_uri(preferred.edit)[0].items()
        expected = range_of(text, "string", e.encoding, nth=1)
        assert [(x.range, x.new_text) for x in edits] == [(expected, "number")]
        # An edit sent in the client's encoding lands where the client meant it.
        e.replace(uri, "/* 😀é */ string", "/* 😀é */ number")
        await e.diagnostics(uri, lacks("changed-type"))
    finally:
        await stop_editor(e, request.node)


@pytest.mark.parametrize("name", CLIENTS)
async def test_crlf_document(tmp_path, request, name):
    impl = IMPL.replace("\n", "\r\n")
    ws = make_workspace(tmp_path, impl=impl, spec=SPEC.replace("\n", "\r\n"))
    e = watch(await start_editor(ws, name), request.node)
    try:
        uri, diags = await opened(e)
        total = the(diags, "changed-type")
        assert total.range.start.line == TOTAL_LINE
        actions = await e.actions(uri, total.range, diags=[total])
        preferred = next(a for a in actions if isinstance(a, t.CodeAction) and a.is_preferred)
        e.apply(preferred.edit)
        assert e.texts[uri] == impl.replace("/* 😀é */ string", "/* 😀é */ number")
        await e.diagnostics(uri, lacks("changed-type"))
    finally:
        await stop_editor(e, request.node)


def flood(text: str, encoding: str, count: int):
    """`count` single-character edits, as fast typing and deleting would send them: the `total`
    type is retyped as `number`, a member is typed in, and the rest is typing and deleting."""
    from conftest import apply_edits

    edits = []

    def edit(start: int, end: int, new: str):
        nonlocal text
        rng = t.Range(start=position_of(text, start, encoding), end=position_of(text, end, encoding))
        text, changes = apply_edits(text, [t.TextEdit(range=rng, new_text=new)], encoding)
        edits.append((changes, text))

    at = text.index("string;\n}")
    for _ in range(len("string")):
        edit(at, at + 1, "")
    for i, ch in enumerate("number"):
        edit(at + i, at + i, ch)
    member = "  amount?: number; // ü😀\n"
    at = text.rindex("}")
    for i, ch in enumerate(member):
        edit(at + i, at + i, ch)
    scratch = text.index("hand-written") + len("hand-written")
    while len(edits) < count:
        edit(scratch, scratch, "😀")
        if len(edits) < count:
            edit(scratch, scratch + 1, "")
    return edits, text


async def test_flood_of_edits_ends_like_a_fresh_open(editor: Editor):
    uri, _ = await opened(editor)
    edits, final = flood(editor.texts[uri], editor.encoding, 1000)
    assert len(edits) == 1000
    for changes, text in edits:
        editor.change(uri, changes, text)
    flooded = await editor.diagnostics(uri, lacks("changed-type"))
    log = list(editor.published.get("log", []))
    editor.close(uri)
    reopened_uri = editor.open(IMPL_PATH, final)
    fresh = await editor.diagnostics(reopened_uri, lacks("changed-type"))

    def key(d):
        return (d.code, d.range.start.line, d.range.start.character, d.range.end.line, d.range.end.character, d.message)

    assert sorted(map(key, flooded)) == sorted(map(key, fresh))
    assert "missing-member" in codes(fresh)
    if not editor.pull:
        # Never a result for an older version after a newer one.
        versions = [v for u, v in log if u == uri]
        assert versions == sorted(versions)


async def test_close_clears_diagnostics(editor: Editor):
    uri, _ = await opened(editor)
    editor.close(uri)
    deadline = asyncio.get_running_loop().time() + 15
    while editor.published[uri] != (None, []):
        assert asyncio.get_running_loop().time() < deadline, editor.published[uri]
        await asyncio.sleep(0.05)


async def test_unknown_documents_and_odd_positions_are_harmless(editor: Editor):
    unknown = editor.ws.uri("src/domain/nowhere.ts")
    editor.client.text_document_did_change(
        t.DidChangeTextDocumentParams(
            text_document=t.VersionedTextDocumentIdentifier(uri=unknown, version=3),
            content_changes=[t.TextDocumentContentChangeWholeDocument(text="x")],
        )
    )
    hover = await editor.client.text_document_hover_async(
        t.HoverParams(text_document=t.TextDocumentIdentifier(uri=unknown), position=t.Position(0, 0))
    )
    assert hover is None
    uri, _ = await opened(editor)
    # Far past the end of the document: clamped, no crash, and the server keeps working.
    far = t.Range(start=t.Position(500, 900), end=t.Position(900, 4))
    editor.change(uri, [t.TextDocumentContentChangePartial(range=far, text="\n")], editor.texts[uri] + "\n")
    hover = await editor.client.text_document_hover_async(
        t.HoverParams(text_document=t.TextDocumentIdentifier(uri=uri), position=t.Position(10_000, 10_000))
    )
    assert hover is None
    diags = await editor.diagnostics(uri, has("changed-type"))
    assert the(diags, "changed-type").range.start.line == TOTAL_LINE


async def test_indexing_reports_progress_and_logs(editor: Editor):
    await opened(editor)
    # Both recorded clients advertise window.workDoneProgress.
    [reports] = editor.client.progress_reports.values()
    assert isinstance(reports[0], t.WorkDoneProgressBegin)
    assert isinstance(reports[-1], t.WorkDoneProgressEnd)
    assert any("indexed 2 files" in m.message for m in editor.client.log_messages)


async def test_missing_file_is_created_by_its_fix(editor: Editor):
    payment = "generated/billing/payment.types.ts"
    spec_path = editor.ws.write(payment, "export interface Payment {\n  readonly id: string;\n}\n")
    if is_vscode(editor):
        editor.client.workspace_did_change_watched_files(
            t.DidChangeWatchedFilesParams(changes=[t.FileEvent(uri=spec_path.as_uri(), type=t.FileChangeType.Created)])
        )
    uri = editor.open(payment)
    diags = await editor.diagnostics(uri, has("missing-type"))
    missing = the(diags, "missing-type")
    actions = await editor.actions(uri, missing.range, diags=[missing])
    preferred = next(a for a in actions if isinstance(a, t.CodeAction) and a.is_preferred)
    by_uri, created = edits_by_uri(preferred.edit)
    [(target, edits)] = by_uri.items()
    assert same_file(target, editor.ws.root / "src/domain/billing/payment.types.ts")
    assert "export interface Payment" in "".join(e.new_text for e in edits)
    if is_vscode(editor):  # resource operations: the file is created first
        assert created == [target]
        assert isinstance(preferred.edit.document_changes[0], t.CreateFile)
    else:  # no documentChanges: a plain edit of the new file's URI
        assert created == []


@pytest.mark.parametrize("client", CLIENTS)
async def test_fix_all_writes_a_new_file_with_each_import_once_and_blank_lines(workspace, request, client):
    """Two missing types going into one new file, both using `Money` and one also `Currency`:
    fixed one by one each would bring its own import statement (`{ Money }` and
    `{ Currency, Money }`, a duplicate `Money`), and each declaration was written right after the
    previous one's closing brace."""
    money = "export interface Money {\n  readonly amount: number;\n}\n\nexport type Currency = 'EUR' | 'USD';\n"
    workspace.write("generated/billing/money.types.ts", money)
    workspace.write("src/domain/billing/money.types.ts", money)
    payment = "generated/billing/payment.types.ts"
    workspace.write(
        payment,
        "export interface Payment {\n  readonly amount: Money;\n}\n\n"
        "export interface Refund {\n  readonly amount: Money;\n  readonly currency: Currency;\n}\n",
    )
    e = watch(await start_editor(workspace, client), request.node)
    try:
        uri = e.open(payment)
        await e.diagnostics(uri, lambda ds: codes(ds).count("missing-type") == 2)
        whole = t.Range(start=t.Position(0, 0), end=t.Position(99, 0))
        actions = await e.actions(uri, whole, only=["source.fixAll"])
        [fix_all] = [a for a in actions if a.kind == "source.fixAll.moment-sync"]
        by_uri, _ = edits_by_uri(fix_all.edit)
        [(target, edits)] = [(u, es) for u, es in by_uri.items() if u.endswith("payment.types.ts")]
        assert same_file(target, workspace.root / "src/domain/billing/payment.types.ts")
        text, _ = apply_edits("", edits, e.encoding)
        assert text == (
            "import type { Currency, Money } from './money.types';\n\n"
            "export interface Payment {\n  readonly amount: Money;\n}\n\n"
            "export interface Refund {\n  readonly amount: Money;\n  readonly currency: Currency;\n}\n"
        ), text
    finally:
        await stop_editor(e, request.node)


async def test_invalid_settings_are_reported_and_the_server_keeps_running(workspace, request):
    e = watch(await start_editor(workspace, "neovim", init_options={"colour": "red"}), request.node)
    try:
        uri, _ = await opened(e)  # defaults apply
        [message] = [m for m in e.client.messages if m.type == t.MessageType.Error]
        assert "unknown key `colour`" in message.message
    finally:
        await stop_editor(e, request.node)


async def test_a_side_file_above_max_file_bytes_is_reported_once(workspace, request):
    # Its declarations are missing from every comparison: the user is told why, once.
    workspace.write(".moment/sync.json", '{"maxFileBytes": 2000}\n')
    workspace.write("src/domain/billing/huge.types.ts", "export interface Huge { id: string }\n" * 100)
    e = watch(await start_editor(workspace, "neovim"), request.node)
    try:
        uri, _ = await opened(e)
        # Another analysis (an edit) does not repeat the message.
        e.replace(uri, "/* 😀é */ string", "number")
        await e.diagnostics(uri, lacks("changed-type"))
        warnings = [m.message for m in e.client.messages if m.type == t.MessageType.Warning]
        assert len(warnings) == 1, warnings
        [warning] = warnings
        assert "src/domain/billing/huge.types.ts" in warning and "maxFileBytes" in warning, warning
    finally:
        await stop_editor(e, request.node)


async def test_editing_an_open_spec_file_refreshes_the_implementation(editor: Editor):
    impl_uri, _ = await opened(editor)
    spec_uri = editor.open(SPEC_PATH)
    # Unsaved text of the open spec wins over the file on disk.
    editor.replace(spec_uri, "total: number", "total: string")
    diags = await editor.diagnostics(impl_uri, lacks("changed-type"))
    assert "missing-member" in codes(diags)


async def test_settings_change_applies_without_restart(workspace, request):
    e = watch(await start_editor(workspace, "visual-studio-code"), request.node)
    try:
        uri, _ = await opened(e)
        e.client.set_configuration({"severity": {"3": "warning"}}, section="momentSync")
        e.client.workspace_did_change_configuration(t.DidChangeConfigurationParams(settings=None))
        diags = await e.diagnostics(
            uri, lambda d: any(x.code == "changed-type" and x.severity == t.DiagnosticSeverity.Warning for x in d)
        )
        assert the(diags, "changed-type").severity == t.DiagnosticSeverity.Warning
    finally:
        await stop_editor(e, request.node)
