"""Each package reaches the case store through its door: analytics imports nothing of crm but ``crm.door.ports``;
the IVR's events and its self-service calls no longer import each other; the self-service systems' ports are
integrations that know no other package (the import contracts in pyproject.toml say the rest)."""

from __future__ import annotations

import sys

import grimp
import pytest

from tests.support.package_graph import ROOT


@pytest.fixture(scope="module")
def graph() -> grimp.ImportGraph:
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    return grimp.build_graph("analytics", "crm", "telephony", "integrations", "kernel")


def test_analytics_reaches_the_case_store_only_through_its_door(graph: grimp.ImportGraph) -> None:
    reached = {
        (module, imported)
        for module in graph.find_descendants("analytics")
        for imported in graph.find_modules_directly_imported_by(module)
        if imported == "crm" or imported.startswith("crm.")
    }
    assert reached, "analytics reads the case store: the walk should see it"
    assert {imported for _, imported in reached} == {"crm.door.ports"}, sorted(reached)


def test_the_door_s_ports_are_pure(graph: grimp.ImportGraph) -> None:
    adapters = ("crm.store", "crm.api", "crm.door.sql_contacts", "crm.door.sql_transcription", "crm.door.memory",
                "crm.door.sql_calls", "crm.door.sql_desk")  # fmt: skip
    for ports in ("crm.door.ports", "crm.door.calls"):
        for adapter in adapters:
            assert not graph.chain_exists(importer=ports, imported=adapter, as_packages=True), (ports, adapter)


def test_the_ivr_events_and_its_self_service_calls_do_not_import_each_other(graph: grimp.ImportGraph) -> None:
    assert graph.chain_exists(importer="telephony.ivr.ports", imported="telephony.ivr.events")
    assert not graph.chain_exists(importer="telephony.ivr.events", imported="telephony.ivr.ports")


def test_the_self_service_ports_are_integrations_of_their_own(graph: grimp.ImportGraph) -> None:
    for port in ("integrations.bills", "integrations.certificates"):
        imported = {
            name
            for module in graph.find_descendants(port) | {port}
            for name in graph.find_modules_directly_imported_by(module)
        }
        assert imported, port
        assert all(name.startswith(("integrations.", "kernel.")) for name in imported), sorted(imported)
    assert not graph.chain_exists(importer="integrations", imported="telephony", as_packages=True)
