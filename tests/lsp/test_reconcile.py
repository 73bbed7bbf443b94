"""Reconciliation state in the editor: decisions as code actions and commands, decisions made by
the CLI while the server runs, hover with consumers and history, and upstream events."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess

from lsprotocol import types as t

from conftest import (
    BINARY,
    IMPL,
    IMPL_PATH,
    SPEC_PATH,
    WAIT,
    Editor,
    codes,
    make_workspace,
    position_of,
    start_editor,
    stop_editor,
    watch,
)

# Decisions need an actor: git's user.name, else $USER (the server and the CLI inherit it).
os.environ.setdefault("USER", "tester")
if not os.environ["USER"]:
    os.environ["USER"] = "tester"


def has(*wanted: str):
    return lambda diags: all(w in codes(diags) for w in wanted)


def lacks(code: str):
    return lambda diags: code not in codes(diags)


def the(diags, code: str) -> t.Diagnostic:
    [found] = [d for d in diags if d.code == code]
    return found


async def opened(editor: Editor):
    uri = editor.open(IMPL_PATH)
    diags = await editor.diagnostics(uri, has("changed-type", "missing-member"))
    return uri, diags


async def command_titled(editor: Editor, uri: str, diag: t.Diagnostic, title: str) -> t.Command:
    actions = await editor.actions(uri, diag.range, diags=[diag])
    # Clients with code action literals get the decisions as code actions of a `quickfix.*`
    # kind carrying the command; others get the bare command.
    commands = [a.command if isinstance(a, t.CodeAction) else a for a in actions]
    found = [
        c
        for c in commands
        if c is not None and c.title == title and c.arguments[0]["driftId"] == diag.data["driftId"]
    ]
    assert len(found) == 1, [a.title for a in actions]
    return found[0]


async def execute(editor: Editor, command: t.Command):
    return await editor.client.workspace_execute_command_async(
        t.ExecuteCommandParams(command=command.command, arguments=command.arguments)
    )


def log_events(editor: Editor) -> list[dict]:
    path = editor.ws.root / ".moment" / "sync-log.jsonl"
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


async def hover_text(editor: Editor, uri: str, needle: str) -> str:
    text = editor.texts[uri]
    pos = position_of(text, text.index(needle) + 1, editor.encoding)
    hover = await editor.client.text_document_hover_async(
        t.HoverParams(text_document=t.TextDocumentIdentifier(uri=uri), position=pos)
    )
    return hover.contents.value if hover else ""


async def eventually(probe, what: str):
    deadline = asyncio.get_running_loop().time() + WAIT
    while True:
        value = await probe()
        if value:
            return value
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"never happened: {what}")
        await asyncio.sleep(0.1)


async def test_initialize_advertises_the_decide_command(editor: Editor):
    commands = editor.init.capabilities.execute_command_provider.commands
    assert "moment-sync.decide" in commands and "moment-sync.showSpec" in commands


async def test_reject_hides_the_drift_and_survives_a_restart(editor: Editor, request):
    uri, diags = await opened(editor)
    total = the(diags, "changed-type")
    reject = await command_titled(editor, uri, total, "Reject this drift")
    outcome = await execute(editor, reject)
    assert outcome["status"] == "rejected"
    diags = await editor.diagnostics(uri, lacks("changed-type"))
    assert "missing-member" in codes(diags)
    assert any("rejected" in m.message for m in editor.client.messages)
    assert [e["type"] for e in log_events(editor)][-1] == "ProposalRejected"
    # A new server reads the decision from `.moment/`.
    again = watch(await start_editor(editor.ws, "neovim"), request.node)
    try:
        uri = again.open(IMPL_PATH)
        diags = await again.diagnostics(uri, has("missing-member"))
        assert "changed-type" not in codes(diags)
    finally:
        await stop_editor(again, request.node)


async def test_skip_keeps_the_drift_and_hover_shows_history_and_consumers(workspace, request):
    workspace.write(
        "services/billing/use.ts",
        'import { Invoice } from "../../generated/billing/invoice.types";\n'
        "export const t = (i: Invoice) => i.total;\n",
    )
    # The actor can be named in the editor's settings.
    e = watch(await start_editor(workspace, "visual-studio-code", init_options={"actor": "ann"}), request.node)
    try:
        uri, diags = await opened(e)
        total = the(diags, "changed-type")
        skip = await command_titled(e, uri, total, "Skip for now")
        outcome = await execute(e, skip)
        assert outcome["status"] == "skipped"
        value = await eventually(
            lambda: hover_text_if(e, uri, "total", "skip by ann"), "the hover shows the skip"
        )
        assert "consumed by 1 file in 1 service" in value
        assert "Source:" in value
        # Skipped drift is still shown.
        diags = await e.diagnostics(uri)
        assert "changed-type" in codes(diags)
    finally:
        await stop_editor(e, request.node)


async def hover_text_if(editor: Editor, uri: str, needle: str, wanted: str) -> str | None:
    value = await hover_text(editor, uri, needle)
    return value if wanted in value else None


async def test_applied_quick_fix_records_an_acceptance(editor: Editor):
    uri, diags = await opened(editor)
    total = the(diags, "changed-type")
    actions = await editor.actions(uri, total.range, diags=[total])
    [fix] = [
        a
        for a in actions
        if isinstance(a, t.CodeAction) and a.is_preferred and a.diagnostics and a.diagnostics[0].code == "changed-type"
    ]
    assert fix.edit is not None and fix.command.command == "moment-sync.decide"
    # An editor applies the edit, then runs the command.
    editor.apply(fix.edit)
    outcome = await execute(editor, fix.command)
    assert outcome["status"] == "pending" and outcome["decision"] == "accept"
    assert "recorded as accepted when src/domain/billing/invoice.types.ts is saved" in outcome["message"]
    # Nothing is recorded (or created) for an edit that is not saved yet.
    await asyncio.sleep(0.3)
    assert not (editor.ws.root / ".moment").exists()
    editor.save(uri)

    async def accepted_events():
        return [e for e in log_events(editor) if e["type"] == "ProposalAccepted"]

    [accepted] = await eventually(accepted_events, "the acceptance recorded on save")
    assert accepted["id"] == total.data["driftId"] and accepted["applied"] is True
    status = json.loads(
        subprocess.run(
            [BINARY, "status", str(editor.ws.root), "--json"], capture_output=True, text=True, check=True
        ).stdout
    )
    assert "accepted" in json.dumps(status)
    diags = await editor.diagnostics(uri, lacks("changed-type"))
    assert "missing-member" in codes(diags)


async def test_cli_decision_while_the_server_runs(editor: Editor):
    uri, diags = await opened(editor)
    drift_id = the(diags, "changed-type").data["driftId"]
    subprocess.run(
        [BINARY, "decide", "reject", drift_id, "--root", str(editor.ws.root), "--reason", "on purpose"],
        capture_output=True,
        check=True,
    )
    diags = await editor.diagnostics(uri, lacks("changed-type"))
    assert "missing-member" in codes(diags)


EVENT = {
    "eventId": "evt-1",
    "eventType": "CommandDefined",
    "version": 1,
    "productSource": "complai",
    "sessionId": "s-1",
    "causationEventIds": [],
    "correlationId": None,
    "timestamp": "2026-11-25T06:00:00Z",
    "payload": {"name": "IssueInvoice"},
}


async def test_upstream_events_are_reported(workspace, request):
    events = workspace.root / ".complai" / "events" / "moment"
    events.mkdir(parents=True)
    (events / "x.jsonl").write_text("")
    e = watch(await start_editor(workspace, "neovim"), request.node)
    try:
        await opened(e)
        cursor = workspace.root / ".moment" / "events" / "lsp.cursor.json"

        async def cursor_saved():
            return cursor.exists()

        await eventually(cursor_saved, "the server follows the events folder")
        second = dict(EVENT, eventId="evt-2", eventType="EventDefined")
        with (events / "x.jsonl").open("a") as f:
            f.write(json.dumps(EVENT) + "\n")
            f.write("{not json\n")  # logged, not fatal
            f.write(json.dumps(second) + "\n")

        async def reported():
            return [m for m in e.client.messages if m.message.startswith("Upstream:")]

        [message] = await eventually(reported, "a message about upstream events")
        assert message.type == t.MessageType.Info
        assert "2 new events (CommandDefined, EventDefined)" in message.message
        assert "re-checked: 2 drift points, outcome breaking" in message.message
    finally:
        await stop_editor(e, request.node)


async def test_impl_ahead_drift_can_be_sent_as_feedback(tmp_path, request):
    impl = IMPL.replace("export interface Invoice {", "export interface Invoice {\n  internalRef: string;")
    ws = make_workspace(tmp_path, impl=impl)
    e = watch(await start_editor(ws, "neovim"), request.node)
    try:
        uri = e.open(IMPL_PATH)
        diags = await e.diagnostics(uri, has("extra-member"))
        extra = the(diags, "extra-member")
        feedback = await command_titled(e, uri, extra, "Send to spec owners as feedback")
        outcome = await execute(e, feedback)
        assert outcome["status"] == "accepted" and "feedback" in outcome["message"]
        assert outcome["appliedFix"] is None
        # Nothing was edited; the journal holds the feedback for the spec's owners.
        assert "internalRef" in (ws.root / IMPL_PATH).read_text(encoding="utf-8")
        journal = (ws.root / ".moment" / "feedback-journal.jsonl").read_text()
        assert "ImplementationFeedbackRecorded" in journal and "internalRef" in journal
    finally:
        await stop_editor(e, request.node)


async def test_an_undone_quick_fix_records_nothing(editor: Editor):
    uri, diags = await opened(editor)
    total = the(diags, "changed-type")
    actions = await editor.actions(uri, total.range, diags=[total])
    [fix] = [a for a in actions if isinstance(a, t.CodeAction) and a.is_preferred and a.diagnostics[0].code == "changed-type"]
    before = editor.texts[uri]
    editor.apply(fix.edit)
    await execute(editor, fix.command)
    # Undo, then save: the drift is back, so nothing was accepted and no state is written.
    editor.change(uri, [t.TextDocumentContentChangeWholeDocument(text=before)], before)
    await editor.diagnostics(uri, has("changed-type"))
    editor.save(uri)
    await asyncio.sleep(0.5)
    assert not (editor.ws.root / ".moment").exists()
    assert not [m for m in editor.client.messages if m.type == t.MessageType.Error]


async def test_a_quick_fix_with_unsaved_spec_changes_records_its_decision(editor: Editor):
    uri, _ = await opened(editor)
    spec_uri = editor.open(SPEC_PATH)
    # The spec gains a member, unsaved: the file on disk does not have it.
    editor.replace(spec_uri, "note?: string;", "note?: string;\n  due?: string;")
    diags = await editor.diagnostics(uri, lambda d: any("due" in x.message for x in d))
    [due] = [d for d in diags if "due" in d.message]
    actions = await editor.actions(uri, due.range, diags=[due])
    [fix] = [a for a in actions if isinstance(a, t.CodeAction) and a.is_preferred and a.diagnostics and a.diagnostics[0].message == due.message]
    editor.apply(fix.edit)
    outcome = await execute(editor, fix.command)
    assert outcome["status"] == "pending", outcome
    editor.save(uri)

    async def accepted_events():
        return [e for e in log_events(editor) if e["type"] == "ProposalAccepted"]

    [accepted] = await eventually(accepted_events, "the acceptance recorded on save")
    assert accepted["id"] == due.data["driftId"]
    assert not [m for m in editor.client.messages if m.type == t.MessageType.Error]
