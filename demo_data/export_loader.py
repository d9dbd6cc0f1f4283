"""Load real FHIR exports (searchset, collection or transaction bundles, NDJSON) into a server.

A hospital's export is a slice of its data, not a load plan: resources come in any order, point
at resources the export does not hold, and now and then repeat an id. This module turns such files
into transaction bundles of PUTs under the exported ids:

- a resource's references decide its batch: every target in the export goes in an earlier batch
  or the same one (topological order over the reference graph); the members of a reference cycle
  (e.g. Encounter.diagnosis -> Condition -> Condition.encounter) share one bundle, where the
  server resolves them together;
- a reference whose target is neither in the export nor on the server is dangling; it is kept as
  written, counted per resource type and element, and never fails the load (the server must accept
  it: ``FHIR_REFERENTIAL_INTEGRITY=false``, see fhir-server/README.md);
- a repeated ``Type/id`` keeps the version with the latest ``meta.lastUpdated`` and is counted;
- ``meta.versionId`` and ``meta.lastUpdated`` are the server's to set and are dropped, so loading
  again sends identical content and the server keeps every resource at its version.

Sending, progress and error reporting are the demo loader's (``demo_data.loader``).
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import orjson

from demo_data.loader import (
    LoadReport,
    Progress,
    ServerUnavailable,
    check_server,
    client_for,
    post_transaction,
)

__all__ = ["DEFAULT_BATCH", "ExportReport", "load_export", "plan", "read_export"]

Resource = dict[str, Any]
Key = tuple[str, str]

# Entries per transaction: HAPI resolves a transaction in one database transaction, and a few
# hundred resources keep each one short enough not to hold H2's locks for long.
DEFAULT_BATCH = 250
# Ids per "_id" search when asking the server which targets it already holds (URL length).
_ID_CHUNK = 50
_SERVER_MANAGED_META = ("versionId", "lastUpdated", "source")


@dataclass
class ExportReport(LoadReport):
    """What an export load did, and what the export lacked.

    ``dangling`` counts references to targets that are neither in the export nor on the server,
    by (resource type, element); ``dangling_targets`` the distinct targets behind them.
    """

    files: int = 0
    duplicates: int = 0
    unchanged: int = 0
    dangling: Counter = field(default_factory=Counter)
    dangling_targets: set[str] = field(default_factory=set)

    @property
    def changed(self) -> int:
        """Resources the server created or stored a new version of."""
        return self.resources - self.unchanged

    def dangling_lines(self) -> list[str]:
        """One line per resource type and element, largest count first."""
        return [
            f"{resource_type}.{element}: {count}"
            for (resource_type, element), count in self.dangling.most_common()
        ]


def _resources_of(document: Any) -> Iterator[Resource]:
    if not isinstance(document, dict):
        return
    if document.get("resourceType") == "Bundle":
        for entry in document.get("entry") or []:
            resource = entry.get("resource") if isinstance(entry, dict) else None
            method = (entry.get("request") or {}).get("method") if isinstance(entry, dict) else None
            if isinstance(resource, dict) and method != "DELETE":
                yield from _resources_of(resource)
    elif document.get("resourceType") not in (None, "OperationOutcome"):
        yield document


def _files(dirs: Iterable[Path | str]) -> list[Path]:
    found = []
    for directory in map(Path, dirs):
        if not directory.is_dir():
            raise FileNotFoundError(f"no export directory {directory}")
        found += sorted(
            p for p in directory.rglob("*") if p.suffix in (".json", ".ndjson") and p.is_file()
        )
    if not found:
        raise FileNotFoundError(f"no .json or .ndjson files in {', '.join(map(str, dirs))}")
    return found


def read_export(dirs: Iterable[Path | str]) -> tuple[list[Resource], int, int]:
    """Every resource of the export files, one per ``Type/id``; with file and duplicate counts.

    A repeated ``Type/id`` keeps the resource with the latest ``meta.lastUpdated`` (the later
    version in the source system).
    """
    files = _files(dirs)
    chosen: dict[Key, Resource] = {}
    duplicates = 0
    for path in files:
        raw = path.read_bytes()
        documents = (
            [orjson.loads(line) for line in raw.splitlines() if line.strip()]
            if path.suffix == ".ndjson"
            else [orjson.loads(raw)]
        )
        for document in documents:
            for resource in _resources_of(document):
                if not isinstance(resource.get("id"), str):
                    raise ValueError(f"{path}: a {resource['resourceType']} without an id")
                key = (resource["resourceType"], resource["id"])
                if key in chosen:
                    duplicates += 1
                    if _updated(resource) < _updated(chosen[key]):
                        continue
                chosen[key] = resource
    return [_without_server_meta(r) for r in chosen.values()], len(files), duplicates


def _updated(resource: Resource) -> str:
    meta = resource.get("meta")
    value = meta.get("lastUpdated") if isinstance(meta, dict) else None
    return value if isinstance(value, str) else ""


def _without_server_meta(resource: Resource) -> Resource:
    meta = resource.get("meta")
    if not isinstance(meta, dict):
        return resource
    kept = {k: v for k, v in meta.items() if k not in _SERVER_MANAGED_META}
    out = {k: v for k, v in resource.items() if k != "meta"}
    if kept:
        out["meta"] = kept
    return out


def references(resource: Resource) -> Iterator[tuple[str, Key]]:
    """(element path, target) of every literal ``Type/id`` reference in ``resource``.

    Absolute URLs count by their last two segments; ``urn:``, ``#contained`` and versioned tails
    are read as FHIR defines them.
    """
    stack: list[tuple[str, Any]] = [("", resource)]
    while stack:
        path, node = stack.pop()
        if isinstance(node, list):
            stack += [(path, item) for item in node]
        elif isinstance(node, dict):
            reference = node.get("reference")
            if isinstance(reference, str):
                target = _target(reference)
                if target is not None:
                    yield path, target
            for key, value in node.items():
                if isinstance(value, dict | list) and key != "contained":
                    stack.append((f"{path}.{key}" if path else key, value))


def _target(reference: str) -> Key | None:
    if reference.startswith(("urn:", "#")):
        return None
    parts = reference.split("/_history/")[0].rstrip("/").split("/")
    if len(parts) < 2 or not parts[-1] or not parts[-2][:1].isupper():
        return None
    return parts[-2], parts[-1]


def _components(nodes: list[Key], edges: dict[Key, set[Key]]) -> list[list[Key]]:
    """Strongly connected components (Tarjan, iterative), dependencies before dependants."""
    index: dict[Key, int] = {}
    low: dict[Key, int] = {}
    on_stack: set[Key] = set()
    stack: list[Key] = []
    out: list[list[Key]] = []
    for root in nodes:
        if root in index:
            continue
        work = [(root, iter(sorted(edges[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(edges[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                out.append(component)
    return out


def plan(resources: list[Resource], batch: int = DEFAULT_BATCH) -> list[list[Resource]]:
    """Batches in load order: a resource's targets in the export lie in earlier batches or its
    own; a reference cycle is never split across batches (a cycle larger than ``batch`` makes one
    larger batch)."""
    by_key = {(r["resourceType"], r["id"]): r for r in resources}
    edges = {
        key: {t for _, t in references(r) if t in by_key and t != key} for key, r in by_key.items()
    }
    level: dict[Key, int] = {}
    layers: dict[int, list[list[Key]]] = {}
    for component in _components(list(by_key), edges):
        members = set(component)
        depth = 1 + max(
            (level[t] for m in component for t in edges[m] if t not in members), default=-1
        )
        for member in component:
            level[member] = depth
        layers.setdefault(depth, []).append(sorted(component))
    batches: list[list[Resource]] = []
    for depth in sorted(layers):
        current: list[Resource] = []
        for component in layers[depth]:
            if current and len(current) + len(component) > batch:
                batches.append(current)
                current = []
            current += [by_key[k] for k in component]
        if current:
            batches.append(current)
    return batches


def _on_server(client: httpx.Client, wanted: set[Key]) -> set[Key]:
    """The targets of ``wanted`` that the server holds."""
    found: set[Key] = set()
    by_type: dict[str, list[str]] = {}
    for resource_type, resource_id in sorted(wanted):
        by_type.setdefault(resource_type, []).append(resource_id)
    for resource_type, ids in by_type.items():
        for start in range(0, len(ids), _ID_CHUNK):
            chunk = ids[start : start + _ID_CHUNK]
            try:
                response = client.get(
                    resource_type,
                    params={"_id": ",".join(chunk), "_elements": "id", "_count": str(len(chunk))},
                    headers={"Cache-Control": "no-cache"},
                )
            except httpx.TransportError as error:
                raise ServerUnavailable(
                    f"lost the FHIR server at {client.base_url} ({error.__class__.__name__})"
                ) from error
            if response.status_code >= 400:
                # Not a resource type this server knows: nothing of it can be there.
                continue
            for entry in response.json().get("entry", []):
                found.add((resource_type, entry["resource"]["id"]))
    return found


def _dangling(client: httpx.Client, resources: list[Resource], report: ExportReport) -> None:
    keys = {(r["resourceType"], r["id"]) for r in resources}
    missing = [
        (r["resourceType"], path, target)
        for r in resources
        for path, target in references(r)
        if target not in keys
    ]
    present = _on_server(client, {target for _, _, target in missing})
    for resource_type, path, target in missing:
        if target not in present:
            report.dangling[(resource_type, path)] += 1
            report.dangling_targets.add("/".join(target))


# HAPI's answer to a PUT whose content equals the stored version; servers that do not say so
# have every 200 counted as a change.
_NO_CHANGE = "SUCCESSFUL_UPDATE_NO_CHANGE"


def _tally(report: ExportReport, answers: list[dict[str, Any]]) -> None:
    for entry in answers:
        answer = entry.get("response", {})
        status = str(answer.get("status", ""))
        codes = {
            coding.get("code")
            for issue in (answer.get("outcome") or {}).get("issue", [])
            for coding in (issue.get("details") or {}).get("coding", [])
        }
        if status.startswith("201"):
            report.created += 1
        elif _NO_CHANGE in codes:
            report.unchanged += 1
        else:
            report.updated += 1


def _bundle(resources: list[Resource]) -> bytes:
    entries = [
        {
            "resource": r,
            "request": {"method": "PUT", "url": f"{r['resourceType']}/{r['id']}"},
        }
        for r in resources
    ]
    return orjson.dumps({"resourceType": "Bundle", "type": "transaction", "entry": entries})


def load_export(
    dirs: Iterable[Path | str],
    base_url: str,
    batch: int = DEFAULT_BATCH,
    progress: Progress | None = None,
) -> ExportReport:
    """Load every resource of the export directories into the server (or tenant) at ``base_url``.

    Raises ServerUnavailable when the server does not answer and LoadError when it refuses a
    bundle (earlier bundles stay loaded; loading again is safe).
    """
    dirs = list(dirs)
    resources, files, duplicates = read_export(dirs)
    check_server(base_url)
    report = ExportReport(base_url=base_url, files=files, duplicates=duplicates)
    report.per_type = dict(Counter(r["resourceType"] for r in resources))
    batches = plan(resources, batch)
    started = time.monotonic()
    with client_for(base_url) as client:
        _dangling(client, resources, report)
        for number, resources_of_batch in enumerate(batches, start=1):
            answers = post_transaction(
                client, _bundle(resources_of_batch), f"batch {number} of {len(batches)}"
            )
            _tally(report, answers)
            report.bundles += 1
            report.resources += len(resources_of_batch)
            if progress:
                progress(report.resources, len(resources))
    report.seconds = time.monotonic() - started
    return report
