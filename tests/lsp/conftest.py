"""Drives the real `moment-sync lsp --stdio` binary with the recorded capabilities of real
editors (pytest-lsp), on small workspaces created in temporary folders."""

from __future__ import annotations

import asyncio
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Union

import pytest
import pytest_asyncio
from lsprotocol import types as t
from pytest_lsp import client_capabilities
from pytest_lsp.client import DEFAULT_CLIENT_FEATURES, LanguageClient, captured_exception_key, register_lsp_features
from pygls.protocol import default_converter

REPO = Path(__file__).resolve().parents[2]
BINARY = os.environ.get("MOMENT_SYNC_BIN", str(REPO / "target" / "release" / "moment-sync"))

SPEC_PATH = "generated/billing/invoice.types.ts"
IMPL_PATH = "src/domain/billing/invoice.types.ts"

SPEC = """\
export interface Invoice {
  readonly id: string;
  total: number;
  note?: string;
}
"""

# `total` drifted (changed-type; category 3: `CONSUMER` uses the type) and `note` is missing
# (optional: category 1).
IMPL = """\
// Invoice — hand-written; Ünïcödé 😀 comments shift UTF-16 and UTF-8 columns apart.
export interface Invoice {
  readonly id: string;
  total: /* 😀é */ string;
}
"""

# A consumer of `Invoice` outside both sides: consumption detection always runs, so it is what
# makes the changed type breaking (without any consumer it would be category 2).
CONSUMER_PATH = "src/app/checkout.ts"
CONSUMER = """\
import { Invoice } from '../domain/billing/invoice.types';
export const due = (i: Invoice) => i.total;
"""

WAIT = 15.0


# --- text and positions -------------------------------------------------------------------

_LINE = re.compile(r"[^\r\n]*(\r\n|\r|\n|$)")


def lines_of(text: str) -> list[tuple[int, str]]:
    """(start offset, content) of each line; lines end at \\n, \\r\\n or a lone \\r (as LSP)."""
    out, at = [], 0
    for m in _LINE.finditer(text):
        if m.start() == len(text) and out and m.group(0) == "":
            break
        out.append((at, m.group(0).rstrip("\r\n")))
        at = m.end()
        if m.end() == len(text):
            if m.group(1):
                out.append((at, ""))
            break
    return out or [(0, "")]


def units(s: str, encoding: str) -> int:
    if encoding == "utf-8":
        return len(s.encode("utf-8"))
    return len(s.encode("utf-16-le")) // 2


def position_of(text: str, offset: int, encoding: str) -> t.Position:
    """The LSP position of a (Python, code point) offset."""
    for line, (start, content) in reversed(list(enumerate(lines_of(text)))):
        if start <= offset:
            return t.Position(line=line, character=units(content[: offset - start], encoding))
    raise AssertionError("unreachable")


def offset_of(text: str, pos: t.Position, encoding: str) -> int:
    lines = lines_of(text)
    if pos.line >= len(lines):
        return len(text)
    start, content = lines[pos.line]
    acc = 0
    for i, ch in enumerate(content):
        if acc >= pos.character:
            return start + i
        acc += units(ch, encoding)
    return start + len(content)


def range_of(text: str, needle: str, encoding: str, nth: int = 0) -> t.Range:
    at = -1
    for _ in range(nth + 1):
        at = text.index(needle, at + 1)
    return t.Range(start=position_of(text, at, encoding), end=position_of(text, at + len(needle), encoding))


def apply_edits(text: str, edits, encoding: str) -> tuple[str, list[t.TextDocumentContentChangeEvent]]:
    """Applies LSP text edits like an editor and returns the text and the didChange changes that
    describe them (last edit first, so every range is valid when it is applied)."""
    ordered = sorted(
        enumerate(edits),
        key=lambda ie: (offset_of(text, ie[1].range.start, encoding), ie[0]),
        reverse=True,
    )
    changes = []
    for _, e in ordered:
        start, end = offset_of(text, e.range.start, encoding), offset_of(text, e.range.end, encoding)
        changes.append(t.TextDocumentContentChangePartial(range=e.range, text=e.new_text))
        text = text[:start] + e.new_text + text[end:]
    return text, changes


def edits_by_uri(edit: t.WorkspaceEdit) -> tuple[dict[str, list], list[str]]:
    """A workspace edit's text edits per URI, and the URIs it creates."""
    out: dict[str, list] = {}
    created: list[str] = []
    for change in edit.document_changes or []:
        if isinstance(change, t.TextDocumentEdit):
            out.setdefault(change.text_document.uri, []).extend(change.edits)
        elif isinstance(change, t.CreateFile):
            created.append(change.uri)
    for uri, edits in (edit.changes or {}).items():
        out.setdefault(uri, []).extend(edits)
    return out, created


def same_file(uri: str, path: Path) -> bool:
    from urllib.parse import unquote, urlparse

    return Path(unquote(urlparse(uri).path)).resolve() == path.resolve()


# --- workspace and client -----------------------------------------------------------------


@dataclass
class Workspace:
    root: Path
    files: dict[str, str] = field(default_factory=dict)

    def write(self, rel: str, text: str) -> Path:
        path = self.root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(text.encode("utf-8"))
        self.files[rel] = text
        return path

    def uri(self, rel: str) -> str:
        return (self.root / rel).as_uri()


def make_workspace(root: Path, impl: str = IMPL, spec: str = SPEC) -> Workspace:
    ws = Workspace(root)
    ws.write(SPEC_PATH, spec)
    ws.write(IMPL_PATH, impl)
    ws.write(CONSUMER_PATH, CONSUMER)
    return ws


@dataclass
class Editor:
    """A test client plus what an editor keeps: open texts, versions, the encoding."""

    client: LanguageClient
    ws: Workspace
    encoding: str
    init: t.InitializeResult
    texts: dict[str, str] = field(default_factory=dict)
    versions: dict[str, int] = field(default_factory=dict)
    published: dict[str, tuple[int | None, list[t.Diagnostic]]] = field(default_factory=dict)

    @property
    def pull(self) -> bool:
        return self.init.capabilities.diagnostic_provider is not None

    def open(self, rel: str, text: str | None = None) -> str:
        uri = self.ws.uri(rel)
        text = self.ws.files[rel] if text is None else text
        self.texts[uri], self.versions[uri] = text, 1
        self.client.text_document_did_open(
            t.DidOpenTextDocumentParams(t.TextDocumentItem(uri=uri, language_id="typescript", version=1, text=text))
        )
        return uri

    def close(self, uri: str) -> None:
        self.client.text_document_did_close(t.DidCloseTextDocumentParams(t.TextDocumentIdentifier(uri=uri)))
        self.texts.pop(uri, None)

    def change(self, uri: str, changes: list[t.TextDocumentContentChangeEvent], text: str) -> int:
        self.versions[uri] += 1
        self.texts[uri] = text
        self.client.text_document_did_change(
            t.DidChangeTextDocumentParams(
                text_document=t.VersionedTextDocumentIdentifier(uri=uri, version=self.versions[uri]),
                content_changes=changes,
            )
        )
        return self.versions[uri]

    def replace(self, uri: str, needle: str, new: str) -> int:
        """Edits like a user: replaces the first `needle` by an incremental change."""
        text = self.texts[uri]
        rng = range_of(text, needle, self.encoding)
        at = text.index(needle)
        return self.change(
            uri,
            [t.TextDocumentContentChangePartial(range=rng, text=new)],
            text[:at] + new + text[at + len(needle) :],
        )

    def save(self, uri: str) -> None:
        """Writes the open text to its file and tells the server, like an editor's save."""
        from urllib.parse import unquote, urlparse

        rel = Path(unquote(urlparse(uri).path)).relative_to(self.ws.root)
        self.ws.write(str(rel), self.texts[uri])
        self.client.text_document_did_save(t.DidSaveTextDocumentParams(t.TextDocumentIdentifier(uri=uri)))

    def apply(self, edit: t.WorkspaceEdit) -> None:
        """Applies a workspace edit to the open documents, sending didChange like an editor."""
        by_uri, _created = edits_by_uri(edit)
        for uri, edits in by_uri.items():
            assert uri in self.texts, f"edit of a document that is not open: {uri}"
            text, changes = apply_edits(self.texts[uri], edits, self.encoding)
            self.change(uri, changes, text)

    async def diagnostics(self, uri: str, until: Callable[[list[t.Diagnostic]], bool] = lambda _: True):
        """The diagnostics of `uri` for its current version (pulled, or waited for when pushed),
        once `until` holds."""
        deadline = asyncio.get_running_loop().time() + WAIT
        while True:
            if self.pull:
                report = await self.client.text_document_diagnostic_async(
                    t.DocumentDiagnosticParams(text_document=t.TextDocumentIdentifier(uri=uri))
                )
                diags = list(report.items)
                current = True
            else:
                version, diags = self.published.get(uri, (None, []))
                current = version == self.versions.get(uri)
            if current and until(diags):
                return diags
            if asyncio.get_running_loop().time() > deadline:
                raise AssertionError(f"diagnostics of {uri} never satisfied the condition; last: {diags}")
            await asyncio.sleep(0.05)

    async def actions(self, uri: str, rng: t.Range, only: list[str] | None = None, diags=()):
        return await self.client.text_document_code_action_async(
            t.CodeActionParams(
                text_document=t.TextDocumentIdentifier(uri=uri),
                range=rng,
                context=t.CodeActionContext(diagnostics=list(diags), only=only),
            )
        )


def codes(diags) -> list[str]:
    return sorted(str(d.code) for d in diags)


def converter():
    """pygls' converter, except that a code action carrying a `command` stays a CodeAction.

    lsprotocol reads every element of a code action response that has a `command` field as a
    bare Command, dropping a CodeAction's edit. The protocol tells them apart by the field's
    type: a Command's `command` is a string, a CodeAction's is a Command object."""
    conv = default_converter()

    def hook(obj: Any, _: type):
        if isinstance(obj, dict) and isinstance(obj.get("command"), str):
            return conv.structure(obj, t.Command)
        return conv.structure(obj, t.CodeAction)

    conv.register_structure_hook(Union[t.Command, t.CodeAction], hook)
    return conv


def make_client(published: dict) -> LanguageClient:
    """A pytest-lsp client that also records the version of published diagnostics."""
    features = dict(DEFAULT_CLIENT_FEATURES)

    def publish(client: LanguageClient, params: t.PublishDiagnosticsParams):
        client.diagnostics[params.uri] = params.diagnostics
        published[params.uri] = (params.version, list(params.diagnostics))
        published.setdefault("log", []).append((params.uri, params.version))

    features[t.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS] = publish

    # What a real editor does with these requests, recorded for the tests.
    def register(client: LanguageClient, params: t.RegistrationParams):
        client.registrations = [*getattr(client, "registrations", []), *params.registrations]

    def code_lens_refresh(client: LanguageClient, params: None):
        client.code_lens_refreshes = getattr(client, "code_lens_refreshes", 0) + 1

    def apply_edit(client: LanguageClient, params: t.ApplyWorkspaceEditParams):
        # Recorded; the test applies it to its open documents (`Editor.apply`) as it sees fit.
        client.applied_edits = [*getattr(client, "applied_edits", []), params.edit]
        return t.ApplyWorkspaceEditResult(applied=True)

    def show_message_request(client: LanguageClient, params: t.ShowMessageRequestParams):
        # Answers with the button named by `client.pick` (None: the user dismissed the message).
        client.message_requests = [*getattr(client, "message_requests", []), params]
        pick = getattr(client, "pick", None)
        return next((a for a in params.actions or [] if a.title == pick), None)

    features[t.WORKSPACE_APPLY_EDIT] = apply_edit
    features[t.WINDOW_SHOW_MESSAGE_REQUEST] = show_message_request
    features[t.CLIENT_REGISTER_CAPABILITY] = register
    features[t.WORKSPACE_CODE_LENS_REFRESH] = code_lens_refresh
    client = LanguageClient(converter_factory=converter)
    register_lsp_features(client, features)
    return client


async def start_editor(
    ws: Workspace,
    capabilities: str | t.ClientCapabilities,
    init_options: dict[str, Any] | None = None,
    settings: dict[str, Any] | None = None,
    env: dict[str, str] | None = None,
    client_info: t.ClientInfo | None = None,
    folders: list[Path] | None = None,
) -> Editor:
    """Starts the server for `ws` (the only workspace folder, unless `folders` lists them)."""
    published: dict = {}
    client = make_client(published)
    if settings is not None:
        client.set_configuration(settings, section="momentSync")
    await client.start_io(BINARY, "lsp", "--stdio", **({"env": env} if env is not None else {}))
    caps = client_capabilities(capabilities) if isinstance(capabilities, str) else capabilities
    init = await client.initialize_session(
        t.InitializeParams(
            capabilities=caps,
            client_info=client_info,
            root_uri=ws.root.as_uri(),
            workspace_folders=[t.WorkspaceFolder(uri=f.as_uri(), name=f.name) for f in folders or [ws.root]],
            initialization_options={"debounceMs": 30, **(init_options or {})},
        )
    )
    encoding = init.capabilities.position_encoding or "utf-16"
    return Editor(client, ws, str(encoding), init, published=published)


async def stop_editor(editor: Editor, node: pytest.Item | None = None) -> None:
    error = editor.client.error
    await editor.client.shutdown_session()
    await editor.client.stop()
    # Spec violations seen while handling the server's messages (LspSpecificationWarning is an
    # error in this suite) are captured by pytest-lsp; fail the test on them.
    captured = node.stash.get(captured_exception_key, None) if node is not None else None
    if captured is not None:
        raise captured.value
    assert error is None, f"client error: {error}"


def watch(editor: Editor, node: pytest.Item) -> Editor:
    """Lets pytest-lsp attach errors seen in the background to the running test."""
    editor.client._pytest_item = node
    return editor


CLIENTS = ["visual-studio-code", "neovim"]


@pytest.fixture
def workspace(tmp_path: Path) -> Workspace:
    return make_workspace(tmp_path)


@pytest_asyncio.fixture(params=CLIENTS)
async def editor(request, workspace: Workspace):
    """A server for the workspace, driven with a real editor's recorded capabilities."""
    e = watch(await start_editor(workspace, request.param), request.node)
    yield e
    await stop_editor(e, request.node)
