"""What users hit in real editors (issue 11), with the recorded capabilities of VS Code, Neovim
and Emacs: settings, code action requests, logs, kinds, commands, the spec side, decisions."""

from __future__ import annotations

import asyncio
import json
import os

import pytest
from lsprotocol import types as t
from pytest_lsp import client_capabilities

from conftest import (
    IMPL,
    IMPL_PATH,
    SPEC,
    SPEC_PATH,
    CONSUMER,
    CONSUMER_PATH,
    WAIT,
    Editor,
    codes,
    edits_by_uri,
    lines_of,
    make_workspace,
    same_file,
    start_editor,
    stop_editor,
    watch,
)

ALL_CLIENTS = ["visual-studio-code", "neovim", "emacs"]


def the(diags, code: str) -> t.Diagnostic:
    found = [d for d in diags if d.code == code]
    assert len(found) == 1, f"expected one {code}, got {codes(diags)}"
    return found[0]


def has(*wanted: str):
    return lambda diags: all(w in codes(diags) for w in wanted)


def lacks(code: str):
    return lambda diags: code not in codes(diags)


async def eventually(probe, what: str):
    deadline = asyncio.get_running_loop().time() + WAIT
    while True:
        value = probe()
        if value:
            return value
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"never happened: {what}")
        await asyncio.sleep(0.05)


async def opened_impl(editor: Editor) -> tuple[str, list[t.Diagnostic]]:
    uri = editor.open(IMPL_PATH)
    return uri, await editor.diagnostics(uri, has("changed-type", "missing-member"))


def fixes_for(actions, code: str) -> list[t.CodeAction]:
    return [
        a
        for a in actions or []
        if isinstance(a, t.CodeAction)
        and a.kind == t.CodeActionKind.QuickFix
        and a.diagnostics
        and a.diagnostics[0].code == code
    ]


def titles(actions) -> list[str]:
    return [a.title for a in actions or []]


async def execute(editor: Editor, command: str, *arguments):
    return await editor.client.workspace_execute_command_async(
        t.ExecuteCommandParams(command=command, arguments=list(arguments))
    )


@pytest.fixture(params=ALL_CLIENTS)
def client_name(request) -> str:
    return request.param


@pytest.fixture
async def any_editor(request, workspace, client_name):
    e = watch(await start_editor(workspace, client_name), request.node)
    yield e
    await stop_editor(e, request.node)


# --- 1. settings that did not change never re-index ------------------------------------------


def indexed(editor: Editor) -> list[str]:
    return [m.message for m in editor.client.log_messages if m.message.startswith("indexed ")]


async def test_repeated_settings_do_not_index_again(workspace, request):
    e = watch(await start_editor(workspace, "neovim", settings={"codeLens": True}), request.node)
    try:
        uri, _ = await opened_impl(e)
        # Neovim sends didChangeConfiguration right after `initialized`, with the same settings.
        for _ in range(2):
            e.client.workspace_did_change_configuration(
                t.DidChangeConfigurationParams(settings={"momentSync": {"codeLens": True}})
            )
        # A change that keeps the files (severity) applies, still without re-indexing.
        e.client.set_configuration({"codeLens": True, "severity": {"3": "warning"}}, section="momentSync")
        e.client.workspace_did_change_configuration(t.DidChangeConfigurationParams(settings=None))
        await e.diagnostics(
            uri, lambda d: any(x.code == "changed-type" and x.severity == t.DiagnosticSeverity.Warning for x in d)
        )
        assert indexed(e) == ["indexed 2 files"]
        # A change of the files on a side does index again.
        e.client.set_configuration({"exclude": ["**/nothing/**"]}, section="momentSync")
        e.client.workspace_did_change_configuration(t.DidChangeConfigurationParams(settings=None))
        await eventually(lambda: len(indexed(e)) == 2, "a second index after `exclude` changed")
    finally:
        await stop_editor(e, request.node)


# --- 9. each log line reaches the client once, at its level ----------------------------------


async def test_logs_reach_the_client_once_and_not_stderr(any_editor: Editor, capfd):
    await opened_impl(any_editor)
    lines = [m for m in any_editor.client.log_messages if m.message.startswith("indexed ")]
    assert [m.type for m in lines] == [t.MessageType.Info]
    # Editors show stderr too (VS Code in the same channel, Neovim as [ERROR] lines).
    await asyncio.sleep(0.2)  # let pytest-lsp forward anything the server wrote to stderr
    assert "indexed" not in capfd.readouterr().err


# --- 2. the diagnostics the client sends; a hittable range for a missing type ----------------


async def test_code_actions_follow_the_diagnostics_the_client_sends(any_editor: Editor):
    uri, diags = await opened_impl(any_editor)
    total = the(diags, "changed-type")
    # The cursor on the comment of line 0, far from the diagnostic on line 3.
    elsewhere = t.Range(start=t.Position(0, 2), end=t.Position(0, 2))
    assert fixes_for(await any_editor.actions(uri, elsewhere), "changed-type") == []
    named = fixes_for(await any_editor.actions(uri, elsewhere, diags=[total]), "changed-type")
    assert [a.title for a in named if a.is_preferred] == ["Change Invoice.total to `number`"], titles(named)


@pytest.mark.parametrize("name", ["visual-studio-code", "neovim"])
async def test_a_missing_type_can_be_reached_anywhere_on_its_line(tmp_path, request, name):
    spec = SPEC + "\nexport interface Payment {\n  readonly id: string;\n}\n"
    ws = make_workspace(tmp_path, spec=spec)
    e = watch(await start_editor(ws, name), request.node)
    try:
        uri = e.open(IMPL_PATH)
        diags = await e.diagnostics(uri, has("missing-type"))
        missing = the(diags, "missing-type")
        first_line = lines_of(IMPL)[0][1]
        assert missing.range.start == t.Position(0, 0)
        assert missing.range.end.line == 0 and missing.range.end.character > len(first_line) // 2
        # No diagnostics in the request, the cursor in the middle of line 0.
        middle = t.Position(0, 10)
        actions = await e.actions(uri, t.Range(start=middle, end=middle))
        [add] = [a for a in fixes_for(actions, "missing-type") if a.is_preferred]
        assert add.title.startswith("Add `Payment`")
        # 8. The type is added at the end, inside the file's last line: an edit at
        # (line count, 0) makes Neovim add an extra blank line.
        edits = (add.edit.changes or {}).get(uri) or [
            edit for dc in add.edit.document_changes for edit in dc.edits
        ]
        last_line = len(IMPL.splitlines()) - 1
        assert all(edit.range.start.line <= last_line for edit in edits), edits
        e.apply(add.edit)
        assert e.texts[uri].endswith("}\n") and not e.texts[uri].endswith("\n\n")
        await e.diagnostics(uri, lacks("missing-type"))
    finally:
        await stop_editor(e, request.node)


# --- 5. the spec side: a hint, counted apart, worded for the spec ----------------------------


async def test_the_spec_side_shows_hints_worded_for_the_spec(any_editor: Editor):
    impl_uri, impl_diags = await opened_impl(any_editor)
    uri = any_editor.open(SPEC_PATH)
    diags = await any_editor.diagnostics(uri, has("missing-member"))
    note = the(diags, "missing-member")
    assert note.severity == t.DiagnosticSeverity.Hint
    assert note.message == f"`Invoice.note` is not in the implementation yet ({IMPL_PATH})"
    assert "here" not in note.message
    # Counted once, where the implementation lacks it (as `check` counts).
    if note.data is not None:  # Emacs does not take `data`
        assert note.data["counted"] is False and note.data["side"] == "spec"
        assert the(impl_diags, "missing-member").data["counted"] is True
    actions = await any_editor.actions(uri, note.range, diags=[note])
    assert not [x for x in titles(actions) if x.endswith("in spec")], titles(actions)
    [show] = [a for a in actions if a.title == "Show where the implementation lacks Invoice.note"]
    assert show.kind == "quickfix.moment-sync.show"
    location = show.command.arguments[0]
    assert location["uri"] == impl_uri


# --- 11. kinds, literals, applyAllFixes ------------------------------------------------------


async def test_decisions_and_navigation_have_code_action_kinds(any_editor: Editor):
    uri, diags = await opened_impl(any_editor)
    total = the(diags, "changed-type")
    actions = await any_editor.actions(uri, total.range, diags=[total])
    assert all(isinstance(a, t.CodeAction) for a in actions)
    kinds = {a.title: a.kind for a in actions}
    assert kinds["Reject this drift"] == "quickfix.moment-sync.reject"
    assert kinds["Skip for now"] == "quickfix.moment-sync.skip"
    assert kinds["Show Invoice.total in spec"] == "quickfix.moment-sync.show"
    only = await any_editor.actions(uri, total.range, only=["quickfix.moment-sync.skip"], diags=[total])
    assert titles(only) == ["Skip for now"]
    declared = any_editor.init.capabilities.code_action_provider.code_action_kinds
    assert {"quickfix.moment-sync.reject", "quickfix.moment-sync.skip", "source.fixAll.moment-sync"} <= set(declared)


async def test_clients_without_code_action_literals_get_commands(workspace, request):
    caps = client_capabilities("neovim")
    caps.text_document.code_action.code_action_literal_support = None
    e = watch(await start_editor(workspace, caps), request.node)
    try:
        assert e.init.capabilities.code_action_provider is True
        uri, diags = await opened_impl(e)
        total = the(diags, "changed-type")
        actions = await e.actions(uri, total.range, diags=[total])
        assert actions and all(isinstance(a, t.Command) for a in actions), actions
        [fix] = [a for a in actions if a.title == "Change Invoice.total to `number`"]
        assert fix.command == "moment-sync.applyFix"
        assert await execute(e, fix.command, *fix.arguments) == {"applied": True}
        [edit] = e.client.applied_edits
        e.apply(edit)
        assert "total: /* 😀é */ number;" in e.texts[uri]
        await e.diagnostics(uri, lacks("changed-type"))
    finally:
        await stop_editor(e, request.node)


async def test_apply_all_fixes_command(any_editor: Editor):
    assert "moment-sync.applyAllFixes" in any_editor.init.capabilities.execute_command_provider.commands
    uri, _ = await opened_impl(any_editor)
    assert await execute(any_editor, "moment-sync.applyAllFixes", {"uri": uri, "version": 1}) == {"applied": 1}
    [edit] = any_editor.client.applied_edits
    any_editor.apply(edit)
    assert "note?: string" in any_editor.texts[uri]
    diags = await any_editor.diagnostics(uri, lacks("missing-member"))
    assert "changed-type" in codes(diags)  # category 3 is not clean
    # A document that is not open is a clear error.
    with pytest.raises(Exception, match="not an open document"):
        await execute(any_editor, "moment-sync.applyAllFixes", {"uri": any_editor.ws.uri("src/nope.ts")})


# --- 8. the code lens of a type only the implementation has runs -----------------------------


async def test_the_code_lens_of_an_extra_type_explains_and_decides(tmp_path, request):
    impl = IMPL + "\nexport interface Draft {\n  readonly id: string;\n}\n"
    ws = make_workspace(tmp_path, impl=impl)
    e = watch(await start_editor(ws, "neovim"), request.node)
    try:
        uri = e.open(IMPL_PATH)
        await e.diagnostics(uri, has("extra-type"))
        lenses = await e.client.text_document_code_lens_async(
            t.CodeLensParams(text_document=t.TextDocumentIdentifier(uri=uri))
        )
        [draft] = [lens for lens in lenses if lens.range.start.line == 6]
        assert draft.command.command == "moment-sync.explain"
        e.client.pick = "Reject this drift"
        await execute(e, draft.command.command, *draft.command.arguments)
        [asked] = e.client.message_requests
        assert "`Draft`" in asked.message
        assert [a.title for a in asked.actions] == [
            "Remove `Draft` from the implementation",
            "Reject this drift",
            "Skip for now",
        ]
        await e.diagnostics(uri, lacks("extra-type"))
    finally:
        await stop_editor(e, request.node)


# --- 4. a decision without git user.name or $USER --------------------------------------------


async def test_decisions_without_a_user_name_use_the_editor(tmp_path, request):
    ws = make_workspace(tmp_path)
    home = tmp_path / "home"
    home.mkdir()
    # A container: no $USER, no git identity (and no repository).
    env = {"PATH": os.environ["PATH"], "HOME": str(home), "GIT_CONFIG_NOSYSTEM": "1"}
    info = t.ClientInfo(name="Neovim", version="0.11.4")
    e = watch(await start_editor(ws, "neovim", env=env, client_info=info), request.node)
    try:
        uri, diags = await opened_impl(e)
        total = the(diags, "changed-type")
        outcome = await execute(e, "moment-sync.decide", {"driftId": total.data["driftId"], "decision": "skip"})
        assert outcome["status"] == "skipped", outcome
        [errors] = [[m for m in e.client.messages if m.type == t.MessageType.Error]]
        assert errors == []
        log = (ws.root / ".moment" / "sync-log.jsonl").read_text()
        assert [json.loads(x)["actor"] for x in log.splitlines() if '"actor"' in x] == ["Neovim user"]
    finally:
        await stop_editor(e, request.node)


# --- 10. a client that does not watch files: the server watches the disk itself -------------


def report_change(editor: Editor, *paths) -> None:
    """What a watching client does for the globs the server registered; others report nothing."""
    if getattr(editor.client, "registrations", []):
        editor.client.workspace_did_change_watched_files(
            t.DidChangeWatchedFilesParams(
                changes=[t.FileEvent(uri=p.as_uri(), type=t.FileChangeType.Changed) for p in paths]
            )
        )


async def test_changes_on_disk_reach_the_diagnostics(any_editor: Editor, client_name):
    editor = any_editor
    uri, _ = await opened_impl(editor)
    watching = bool(getattr(editor.client, "registrations", []))
    # Neovim's recorded capabilities have no dynamic registration of watched files.
    assert watching == (client_name != "neovim")
    # A spec file edited by another program (the emitter, git).
    spec = editor.ws.write(SPEC_PATH, SPEC.replace("total: number", "total: string"))
    report_change(editor, spec)
    await editor.diagnostics(uri, lacks("changed-type"))
    # The spec's folder moved out of the workspace's sides and back (one event for the folder,
    # none per file).
    folder = spec.parent
    moved = editor.ws.root / "billing-away"
    folder.rename(moved)
    report_change(editor, spec)
    await editor.diagnostics(uri, lacks("missing-member"))
    moved.rename(folder)
    report_change(editor, spec)
    await editor.diagnostics(uri, has("missing-member"))
    # Nothing is polled: the log says how the server watches.
    logs = [m.message for m in editor.client.log_messages]
    if not watching:
        assert any(m.startswith("watching ") and "folders for changes" in m for m in logs), logs


# --- 11. multi-root workspaces: every folder is served ---------------------------------------


async def test_every_workspace_folder_is_served(tmp_path, request, client_name):
    # Two projects, each its own root; in `billing` the total drifted, in `shop` a member is missing.
    billing = make_workspace(tmp_path / "billing")
    shop = make_workspace(tmp_path / "shop", impl=SPEC.replace("  note?: string;\n", ""))
    later = make_workspace(tmp_path / "later", impl=SPEC.replace("total: number", "total: bigint"))
    e = watch(
        await start_editor(billing, client_name, folders=[billing.root, shop.root]),
        request.node,
    )
    try:
        folders = e.init.capabilities.workspace.workspace_folders
        assert folders.supported and folders.change_notifications is True
        b_uri = e.open(IMPL_PATH)
        e.ws = shop
        s_uri = e.open(IMPL_PATH)
        b = await e.diagnostics(b_uri, has("changed-type", "missing-member"))
        s = await e.diagnostics(s_uri, has("missing-member"))
        assert codes(s) == ["missing-member"]
        # Each folder's drift points are its own: its spec, its fixes, its commands.
        for diags, spec in [(b, billing), (s, shop)]:
            for d in diags:
                for related in d.related_information or []:
                    assert same_file(related.location.uri, spec.root / SPEC_PATH)
        assert await execute(e, "moment-sync.applyAllFixes", {"uri": s_uri}) == {"applied": 1}
        [edit] = e.client.applied_edits
        assert list(edits_by_uri(edit)[0]) == [s_uri]
        # A folder added later is served; a removed one is no more.
        e.client.workspace_did_change_workspace_folders(
            t.DidChangeWorkspaceFoldersParams(
                event=t.WorkspaceFoldersChangeEvent(
                    added=[t.WorkspaceFolder(uri=later.root.as_uri(), name="later")],
                    removed=[t.WorkspaceFolder(uri=shop.root.as_uri(), name="shop")],
                )
            )
        )
        e.ws = later
        l_uri = e.open(IMPL_PATH)
        assert codes(await e.diagnostics(l_uri, has("changed-type"))) == ["changed-type"]
        if not e.pull:
            # The removed folder's open document is cleared.
            await eventually(lambda: e.published.get(s_uri, (0, [1]))[1] == [], "the removed folder's diagnostics cleared")
        indexed_roots = [m for m in indexed(e)]
        assert len(indexed_roots) == 3, indexed_roots
    finally:
        await stop_editor(e, request.node)


# --- 7. a type renamed in the spec ------------------------------------------------------------

BILL_SPEC = SPEC.replace("interface Invoice", "interface Bill")


async def test_an_already_drifted_type_renamed_in_the_spec_keeps_its_member_drift(tmp_path, request):
    # `total` had drifted and `note` was never added; then the spec renamed `Invoice` to `Bill`.
    ws = make_workspace(tmp_path, spec=BILL_SPEC)
    e = watch(await start_editor(ws, "neovim"), request.node)
    try:
        uri = e.open(IMPL_PATH)
        diags = await e.diagnostics(uri, has("renamed-type", "changed-type", "missing-member"))
        assert sorted(codes(diags)) == ["changed-type", "missing-member", "renamed-type"]
        assert "Bill" in the(diags, "renamed-type").message
        # Fix-all applies the clean fixes: the missing member, never a second copy of the type.
        assert await execute(e, "moment-sync.applyAllFixes", {"uri": uri}) == {"applied": 1}
        [edit] = e.client.applied_edits
        e.apply(edit)
        assert e.texts[uri].count("interface ") == 1, e.texts[uri]
        assert "note?: string" in e.texts[uri]
        diags = await e.diagnostics(uri, lacks("missing-member"))
        assert sorted(codes(diags)) == ["changed-type", "renamed-type"]
    finally:
        await stop_editor(e, request.node)


USER_PATH = "src/domain/billing/totals.ts"
USER = """\
import { Invoice } from './invoice.types';
export const sum = (all: Invoice[]): number => all.reduce((n, i: Invoice) => n + i.total, 0);
"""


# The consumer outside both sides as the editor holds it, unsaved: a line more than on disk and
# an aliased import, whose local name stays.
CONSUMER_BUFFER = (
    "// not saved yet\n"
    + CONSUMER
    + "import type { Invoice as Receipt } from '../domain/billing/invoice.types';\n"
    + "export const key = (r: Receipt) => r.id;\n"
)


async def test_the_rename_fix_renames_the_declaration_imports_and_uses(tmp_path, request, client_name):
    # A pure rename: the implementation is the old spec word for word; another implementation
    # file and a consumer outside the side import the type and use it. A `.gitignore`d build
    # output copy of the consumer is never edited.
    ws = make_workspace(tmp_path, impl=SPEC, spec=BILL_SPEC)
    ws.write(USER_PATH, USER)
    ws.write(".gitignore", "dist/\n")
    ws.write("dist/app/checkout.ts", CONSUMER)
    e = watch(await start_editor(ws, client_name), request.node)
    try:
        uri = e.open(IMPL_PATH)
        user = e.open(USER_PATH)
        consumer = e.open(CONSUMER_PATH, CONSUMER_BUFFER)
        diags = await e.diagnostics(uri, has("renamed-type"))
        assert codes(diags) == ["renamed-type"]
        renamed = the(diags, "renamed-type")
        actions = await e.client.text_document_code_action_async(
            t.CodeActionParams(
                text_document=t.TextDocumentIdentifier(uri=uri),
                range=renamed.range,
                context=t.CodeActionContext(diagnostics=[renamed]),
            )
        )
        fix = fixes_for(actions, "renamed-type")[0]
        if fix.edit is None:  # a client without literals resolves it
            fix = await e.client.code_action_resolve_async(fix)
        by_uri, _ = edits_by_uri(fix.edit)
        # One workspace edit over three files.
        assert set(by_uri) == {uri, user, consumer}, list(by_uri)
        e.apply(fix.edit)
        assert e.texts[uri] == BILL_SPEC
        # The other files' import specifiers and their uses follow the new name; in the
        # consumer, on its unsaved text.
        assert e.texts[user] == USER.replace("Invoice", "Bill")
        assert e.texts[consumer] == CONSUMER_BUFFER.replace("Invoice", "Bill")
        assert "Receipt" in e.texts[consumer]
        await e.diagnostics(uri, lambda d: codes(d) == [])
    finally:
        await stop_editor(e, request.node)
