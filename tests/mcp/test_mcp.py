"""Drives `moment-sync mcp` over stdio with the official Python MCP client and checks that every
tool answers one text item of JSON equal to what the CLI prints for the same request."""

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from mcp import ClientSession, StdioServerParameters
from mcp.client.stdio import stdio_client

BIN = os.environ["MOMENT_SYNC_BIN"]
REPO = Path(__file__).resolve().parents[2]
TOOLS = {
    "moment_status",
    "moment_check",
    "moment_reconcile",
    "moment_decide",
    "moment_get_events",
    "moment_fix",
}


def cli(*args, cwd=None):
    out = subprocess.run([BIN, *args], capture_output=True, text=True, cwd=cwd, timeout=120)
    return out


def cli_json(*args):
    out = cli(*args)
    assert out.stdout, out.stderr
    return json.loads(out.stdout)


@pytest.fixture
def drifted(tmp_path):
    root = tmp_path / "drifted project"
    shutil.copytree(REPO / "fixtures" / "drifted", root)
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    return root


async def call(root, tool, arguments):
    params = StdioServerParameters(command=BIN, args=["mcp", "--root", str(root)])
    async with stdio_client(params) as (read, write):
        async with ClientSession(read, write) as session:
            await session.initialize()
            result = await session.call_tool(tool, arguments)
    assert len(result.content) == 1, result
    item = result.content[0]
    assert item.type == "text"
    return result.isError, json.loads(item.text)


async def test_every_tool_is_listed_with_truthful_annotations_and_schemas(drifted):
    params = StdioServerParameters(command=BIN, args=["mcp", "--root", str(drifted)])
    async with stdio_client(params) as (read, write):
        async with ClientSession(read, write) as session:
            init = await session.initialize()
            assert init.serverInfo.name == "moment-sync"
            tools = {t.name: t for t in (await session.list_tools()).tools}
    assert set(tools) == TOOLS
    for name in ["moment_status", "moment_check", "moment_get_events"]:
        a = tools[name].annotations
        assert a.readOnlyHint is True and a.destructiveHint is False, name
        assert a.idempotentHint is True, name
    for name in ["moment_decide", "moment_fix"]:
        a = tools[name].annotations
        assert a.readOnlyHint is False and a.destructiveHint is True, name
    assert tools["moment_reconcile"].annotations.readOnlyHint is False
    check = tools["moment_check"].inputSchema
    assert set(check["properties"]) == {"root", "path", "maxCategory"}
    decide = tools["moment_decide"].inputSchema
    assert set(decide["required"]) == {"ids", "decision"}
    assert "accept" in json.dumps(decide)
    fix = tools["moment_fix"].inputSchema
    assert {"ids", "maxCategory", "dryRun"} <= set(fix["properties"])


async def test_check_returns_what_the_cli_returns(drifted):
    expected = cli_json("check", "--format", "json", str(drifted))
    is_error, got = await call(drifted, "moment_check", {})
    assert not is_error
    assert got.pop("suppressed") == 0
    assert got == expected
    # One file, and a category ceiling.
    path = "src/domain/billing/invoice.types.ts"
    _, one = await call(drifted, "moment_check", {"path": path, "maxCategory": 2})
    assert one["driftPoints"], one
    for p in one["driftPoints"]:
        assert p["category"] <= 2
        assert path in {(p.get("implementation") or {}).get("path"), (p.get("spec") or {}).get("path")}
    narrowed = [
        p
        for p in expected["driftPoints"]
        if p["category"] <= 2 and path in {(p.get("implementation") or {}).get("path"), (p.get("spec") or {}).get("path")}
    ]
    assert one["driftPoints"] == narrowed


async def test_errors_carry_a_code_and_a_message(tmp_path):
    missing = tmp_path / "nowhere"
    is_error, got = await call(tmp_path, "moment_check", {"root": str(missing)})
    assert is_error
    assert got["errorCode"] == "WORKSPACE_ERROR"
    assert "nowhere" in got["message"]
    is_error, got = await call(tmp_path, "moment_check", {"root": str(tmp_path), "maxCategory": 7})
    assert is_error and got["errorCode"] == "INVALID_ARGUMENT"


async def test_status_has_the_upstream_sections_and_our_counts(drifted):
    check = cli_json("check", "--format", "json", str(drifted))
    is_error, got = await call(drifted, "moment_status", {})
    assert not is_error, got
    assert set(got) >= {"specification", "implementationSync", "schemaLifecycle", "upstreamSource"}
    sync = got["implementationSync"]
    assert sync["driftPoints"] == check["summary"]["driftPoints"]
    assert sync["byCategory"] == {
        "1": check["summary"]["category1"],
        "2": check["summary"]["category2"],
        "3": check["summary"]["category3"],
    }
    assert sync["lastSync"] is None and sync["pendingProposals"] == 0
    assert got["status"] == cli_json("status", "--json", str(drifted))
    assert isinstance(got["schemaLifecycle"]["deprecatedFields"], list)


async def test_deprecated_spec_fields_are_listed(drifted):
    spec = drifted / "generated" / "deprecated.ts"
    spec.write_text("export interface Legacy {\n  /** @deprecated use id */\n  code: string;\n  id: string;\n}\n")
    _, got = await call(drifted, "moment_status", {})
    fields = got["schemaLifecycle"]["deprecatedFields"]
    assert {"path": "generated/deprecated.ts", "symbol": "Legacy", "member": "code", "note": "use id"} in fields


async def test_fix_dry_run_returns_the_cli_diff_and_writes_nothing(drifted):
    before = {p: p.read_bytes() for p in drifted.rglob("*.ts")}
    cli_out = cli("fix", "--dry-run", str(drifted)).stdout
    is_error, got = await call(drifted, "moment_fix", {"maxCategory": 1, "dryRun": True})
    assert not is_error, got
    assert got["diff"] and cli_out.startswith(got["diff"])
    assert {p: p.read_bytes() for p in drifted.rglob("*.ts")} == before


async def test_fix_by_id_writes_that_fix(drifted):
    check = cli_json("check", "--format", "json", str(drifted))
    point = next(p for p in check["driftPoints"] if p["category"] == 1 and p["fixes"])
    is_error, got = await call(drifted, "moment_fix", {"ids": [point["id"][:10]], "dryRun": False})
    assert not is_error, got
    assert got["files"]
    after = cli_json("check", "--format", "json", str(drifted))
    assert point["id"] not in {p["id"] for p in after["driftPoints"]}
    is_error, got = await call(drifted, "moment_fix", {"ids": ["ffffffffffff"]})
    assert is_error and got["errorCode"] == "UNKNOWN_DRIFT_ID"


async def test_decide_reject_matches_the_cli_and_suppresses_the_point(drifted, tmp_path):
    twin = tmp_path / "twin"
    shutil.copytree(drifted, twin)
    check = cli_json("check", "--format", "json", str(drifted))
    point = check["driftPoints"][0]
    args = {"ids": [point["id"]], "decision": "reject", "reason": "not now"}
    is_error, got = await call(drifted, "moment_decide", args)
    assert not is_error, got
    expected = cli_json("decide", "reject", point["id"], "--reason", "not now", "--root", str(twin), "--json")
    assert got == expected
    _, after = await call(drifted, "moment_check", {})
    assert point["id"] not in {p["id"] for p in after["driftPoints"]}
    assert after["suppressed"] == 1


async def test_reconcile_returns_outcome_category_and_actions_like_the_cli(drifted, tmp_path):
    twin = tmp_path / "twin"
    shutil.copytree(drifted, twin)
    is_error, got = await call(drifted, "moment_reconcile", {"apply": False})
    assert not is_error, got
    expected = cli_json("reconcile", "--json", str(twin))
    assert got["outcome"] == expected["outcome"]
    assert got["category"] == expected["cascadeCategory"]
    assert len(got["actions"]) == len(expected["actions"])
    assert got["report"]["proposals"] == expected["proposals"] or len(got["report"]["proposals"]) == len(
        expected["proposals"]
    )


async def test_get_events_reads_the_stream_with_since_and_limit(drifted):
    events = drifted / ".complai" / "events" / "moment"
    events.mkdir(parents=True)

    def line(i, ts):
        return json.dumps(
            {
                "eventId": f"e{i}",
                "eventType": "AggregateAdded",
                "version": 1,
                "productSource": "sift",
                "sessionId": "s",
                "causationEventIds": [],
                "correlationId": "c",
                "timestamp": ts,
                "payload": {"name": f"A{i}"},
            }
        )

    (events / "a.jsonl").write_text(
        "\n".join(line(i, f"2026-01-0{i}T00:00:00Z") for i in range(1, 6)) + "\n"
    )
    expected = [json.loads(l) for l in cli("events", "--json", "--since", "2026-01-02", str(drifted)).stdout.splitlines()]
    is_error, got = await call(drifted, "moment_get_events", {"since": "2026-01-02"})
    assert not is_error, got
    assert got["events"] == expected and got["total"] == 4
    _, last = await call(drifted, "moment_get_events", {"limit": 2})
    assert [e["eventId"] for e in last["events"]] == ["e4", "e5"]
    is_error, bad = await call(drifted, "moment_get_events", {"since": "yesterday-ish"})
    assert is_error and bad["errorCode"] == "INVALID_ARGUMENT"
