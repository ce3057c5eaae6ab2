"""Importing the client's AI system inventory: the column guess, CSV and XLSX, updates, refusals, hostile files."""

from __future__ import annotations

import zipfile
from datetime import date
from pathlib import Path

import pytest

from fieldwork.app.domain.ai_systems import AiRole, AiSystemInput, Component, LifeCycleStage, RiskLevel
from fieldwork.app.domain.sampling import PopulationSource
from fieldwork.app.errors import ValidationError
from fieldwork.app.services import ai_inventory_import, ai_systems
from fieldwork.app.services.ai_inventory_import import InventoryField, guess_mapping, import_inventory
from fieldwork.app.services.history import list_history
from fieldwork.app.services.population_files import preview
from fieldwork.app.storage.engagement_file import EngagementFile
from tests.sampling_helpers import write_csv, write_xlsx

HEADER = [
    "AI System",
    "Business purpose",
    "Our role",
    "Impacted people",
    "Risk tier",
    "Lifecycle stage",
    "Go-live date",
    "Retirement date",
    "Models",
    "Training data sets",
    "System owner",
    "In scope?",
    "Scope justification",
]
ROWS = [
    [
        "Churn Predictor",
        "Scores customers' likelihood to cancel.",
        "Developer, Provider",
        "Customers",
        "High",
        "In production",
        "2026-03-02",
        "",
        "Gradient boosting v2 (trained in-house); Vendor embeddings: Acme AI, licensed",
        "Billing history: customer data",
        "Head of Data",
        "Yes",
        "",
    ],
    [
        "Legacy Rules Engine",
        "Flagged accounts for review.",
        "developer",
        "Customers",
        "moderate",
        "",
        "2021-05-01",
        "2026-06-30",
        "",
        "",
        "Head of Data",
        "Yes",
        "",
    ],
    [
        "Office Copilot",
        "Drafts emails.",
        "User",
        "Staff",
        "Low",
        "Deployed",
        "2025-11-01",
        "",
        "",
        "",
        "IT",
        "No",
        "Corporate tool",
    ],
]
MAPPING = {
    InventoryField.NAME: "AI System",
    InventoryField.PURPOSE: "Business purpose",
    InventoryField.ROLES: "Our role",
    InventoryField.AFFECTED: "Impacted people",
    InventoryField.RISK_LEVEL: "Risk tier",
    InventoryField.STAGE: "Lifecycle stage",
    InventoryField.DEPLOYED_ON: "Go-live date",
    InventoryField.RETIRED_ON: "Retirement date",
    InventoryField.MODELS: "Models",
    InventoryField.DATASETS: "Training data sets",
    InventoryField.OWNER: "System owner",
    InventoryField.IN_SCOPE: "In scope?",
    InventoryField.SCOPE_REASON: "Scope justification",
}


def inventory_csv(tmp_path: Path, rows: list[list[str]] = ROWS, header: list[str] = HEADER) -> Path:
    return write_csv(tmp_path / "AI inventory.csv", header, rows)


def test_the_headers_suggest_the_columns(tmp_path: Path) -> None:
    shown = preview(PopulationSource(inventory_csv(tmp_path)))
    assert guess_mapping(shown.columns) == MAPPING
    assert guess_mapping(["Name", "Status", "Scope reason", "In scope"]) == {
        InventoryField.NAME: "Name",
        InventoryField.STAGE: "Status",
        InventoryField.IN_SCOPE: "In scope",
        InventoryField.SCOPE_REASON: "Scope reason",
    }


def test_a_csv_inventory_imports_every_field(engagement: EngagementFile, tmp_path: Path) -> None:
    done = import_inventory(engagement, PopulationSource(inventory_csv(tmp_path)), MAPPING)
    assert done.added == ("Churn Predictor", "Legacy Rules Engine", "Office Copilot") and done.updated == ()
    systems = {s.name: s for s in ai_systems.list_systems(engagement)}
    churn = systems["Churn Predictor"]
    assert churn.roles == (AiRole.DEVELOPER, AiRole.PROVIDER) and churn.risk_level is RiskLevel.HIGH
    assert churn.stage is LifeCycleStage.DEPLOYED and churn.deployed_on == date(2026, 3, 2)
    assert churn.models == (
        Component("Gradient boosting v2", "trained in-house"),
        Component("Vendor embeddings", "Acme AI, licensed"),
    )
    assert churn.datasets == (Component("Billing history", "customer data"),)
    legacy = systems["Legacy Rules Engine"]
    assert legacy.stage is LifeCycleStage.RETIRED, "a blank stage is the last one dated"
    assert legacy.risk_level is RiskLevel.MEDIUM and legacy.retired_on == date(2026, 6, 30)
    copilot = systems["Office Copilot"]
    assert not copilot.in_scope and copilot.scope_reason == "Corporate tool" and copilot.roles == (AiRole.USER,)
    entry = next(e for e in list_history(engagement) if e.action == "import AI system inventory")
    assert entry.new_values["source"] == "AI inventory.csv" and len(entry.new_values["sha256"]) == 64


def test_an_xlsx_inventory_with_real_dates_imports_too(engagement: EngagementFile, tmp_path: Path) -> None:
    rows: list[list[object]] = [["Register of AI systems"], ["Name", "Purpose", "Deployed"]]
    rows.append(["Churn Predictor", "Scores churn.", date(2026, 3, 2)])
    path = write_xlsx(tmp_path / "inventory.xlsx", {"Inventory": rows})
    mapping = {InventoryField.NAME: "Name", InventoryField.PURPOSE: "Purpose", InventoryField.DEPLOYED_ON: "Deployed"}
    assert guess_mapping(preview(PopulationSource(path)).columns) == mapping
    import_inventory(engagement, PopulationSource(path), mapping)
    (made,) = ai_systems.list_systems(engagement)
    assert made.deployed_on == date(2026, 3, 2) and made.stage is LifeCycleStage.DEPLOYED


def test_a_second_import_updates_by_name_and_keeps_what_it_does_not_map(
    engagement: EngagementFile, tmp_path: Path
) -> None:
    typed = AiSystemInput(
        "Churn Predictor", purpose="Typed by the auditor.", owner="Head of Data", affected="Customers"
    )
    ai_systems.create_system(engagement, typed)
    path = write_csv(
        tmp_path / "update.csv", ["System", "Risk"], [["churn predictor", "Low"], ["Pricing Model", "High"]]
    )
    mapping = {InventoryField.NAME: "System", InventoryField.RISK_LEVEL: "Risk"}
    done = import_inventory(engagement, PopulationSource(path), mapping)
    assert done.updated == ("Churn Predictor",) and done.added == ("Pricing Model",)
    systems = {s.name: s for s in ai_systems.list_systems(engagement)}
    churn = systems["Churn Predictor"]
    assert churn.risk_level is RiskLevel.LOW and churn.purpose == "Typed by the auditor." and churn.ref == "AI-01"
    assert "churn predictor" not in systems, "a name matched in another case keeps the inventory's spelling"


@pytest.mark.parametrize(
    ("row", "said"),
    [
        (1, "AI inventory.csv, row 3, organization's role: 'Deployer' is not one of: Developer, Provider, User."),
        (2, "AI inventory.csv, row 3, deployed date: 'soon' is not a date like 2026-03-31"),
        (3, "AI inventory.csv, row 3: Say why Legacy Rules Engine is outside the scope"),
    ],
)
def test_a_refused_row_is_named_and_keeps_nothing(
    engagement: EngagementFile, tmp_path: Path, row: int, said: str
) -> None:
    bad = [list(r) for r in ROWS]
    column, value = {1: (2, "Deployer"), 2: (6, "soon"), 3: (11, "No")}[row]
    bad[1][column] = value
    with pytest.raises(ValidationError) as caught:
        import_inventory(engagement, PopulationSource(inventory_csv(tmp_path, bad)), MAPPING)
    assert caught.value.message.startswith(said)
    assert ai_systems.list_systems(engagement) == [], "the rows before the refused one are not kept either"


def test_a_name_twice_in_the_file_is_refused(engagement: EngagementFile, tmp_path: Path) -> None:
    twice = [*ROWS, [ROWS[0][0].upper(), *ROWS[0][1:]]]
    with pytest.raises(ValidationError, match=r"names CHURN PREDICTOR twice \(rows 2 and 5\)"):
        import_inventory(engagement, PopulationSource(inventory_csv(tmp_path, twice), header_row=1), MAPPING)


def test_the_name_column_is_required(engagement: EngagementFile, tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match="Choose the column that names each AI system"):
        import_inventory(engagement, PopulationSource(inventory_csv(tmp_path)), {InventoryField.OWNER: "System owner"})


def test_a_file_far_bigger_than_any_inventory_is_refused(
    engagement: EngagementFile, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(ai_inventory_import, "MAX_SYSTEMS", 2)
    with pytest.raises(ValidationError, match="holds more than 2 rows: is it the AI system inventory"):
        import_inventory(engagement, PopulationSource(inventory_csv(tmp_path)), MAPPING)
    assert ai_systems.list_systems(engagement) == []


def test_hostile_files_meet_the_population_readers_limits(engagement: EngagementFile, tmp_path: Path) -> None:
    """The same readers as a population: a zip bomb and a gigantic CSV field are refused before anything is kept."""
    bomb = write_xlsx(tmp_path / "bomb.xlsx", {"Data": [["Name"], ["Churn Predictor"]]})
    with zipfile.ZipFile(bomb, "a", zipfile.ZIP_DEFLATED) as archive, archive.open("xl/media/pad.xml", "w") as part:
        for _ in range(100):
            part.write(b"\0" * (1 << 20))
    with pytest.raises(ValidationError, match="which is how a zip bomb looks"):
        import_inventory(engagement, PopulationSource(bomb), {InventoryField.NAME: "Name"})
    giant = tmp_path / "giant.csv"
    giant.write_text("Name,Purpose\nChurn Predictor," + "x" * (20 << 20) + "\n", encoding="utf-8")
    with pytest.raises(ValidationError, match=r"giant\.csv was refused"):
        import_inventory(engagement, PopulationSource(giant), {InventoryField.NAME: "Name"})
    assert ai_systems.list_systems(engagement) == []
