"""Consistency checks for the AWS price table and the GPU catalog data files.

These do not prove the numbers are current (they cannot: no network here); they prove the
files are complete and coherent, so the cost report never meets a missing or nonsensical price.
"""

from __future__ import annotations

import json
import math
import re
from pathlib import Path

import pytest
import yaml

DATA = Path(__file__).resolve().parents[2] / "generator" / "mlgen" / "data"
# Every region a residency choice offers must be priced (issue 13): us, ca, eu, uk, au, jp.
REGIONS = (
    "us-east-1",
    "us-east-2",
    "us-west-2",
    "ca-central-1",
    "eu-west-1",
    "eu-west-2",
    "eu-central-1",
    "ap-southeast-2",
    "ap-northeast-1",
)
NEW_REGIONS = ("us-east-2", "eu-west-2", "ca-central-1", "ap-southeast-2", "ap-northeast-1")
KNOWLEDGE_BASIS = "list price as published on the AWS pricing page, 2025; re-verify"
HTTPS = re.compile(r"^https://[a-z0-9.-]+\.[a-z]{2,}(/\S*)?$")

# Items the brief requires, by exact name.
REQUIRED_ITEMS = {
    "sagemaker_training",
    "sagemaker_hosting",
    "sagemaker_serverless_gb_second",
    "sagemaker_serverless_gb_processed",
    "sagemaker_studio_jupyterlab_ml_t3_medium",
    "sagemaker_mlflow",
    "ec2_ondemand",
    "spot_discount",
    "eks_cluster_hour",
    "nat_gateway_hour",
    "nat_gateway_gb",
    "vpc_interface_endpoint_az_hour",
    "public_ipv4_address_hour",
    "cloudwatch_custom_metric_month",
    "vpc_interface_endpoint_gb",
    "kms_key_month",
    "kms_requests_10k",
    "s3_standard_gb_month",
    "s3_standard_ia_gb_month",
    "s3_requests_put_1k",
    "s3_requests_get_1k",
    "fsx_lustre_scratch2_gb_month",
    "fsx_lustre_persistent2_125_gb_month",
    "cloudtrail_data_events_100k",
    "cloudtrail_management_events_additional_copy_100k",
    "cloudwatch_logs_ingest_gb",
    "cloudwatch_logs_storage_gb_month",
    "cloudwatch_alarm_month",
    "ecr_storage_gb_month",
    "sns_email_notifications_100k",
    "budgets_month",
    "ce_anomaly_detection_month",
    "ebs_gp3_gb_month",
    "flow_logs_ingest_gb",
}

REQUIRED_KEYS = {
    "sagemaker_training": {
        "ml.m5.xlarge",
        "ml.m5.4xlarge",
        "ml.c5.2xlarge",
        "ml.g4dn.xlarge",
        "ml.g4dn.12xlarge",
        "ml.g5.xlarge",
        "ml.g5.2xlarge",
        "ml.g5.12xlarge",
        "ml.g5.48xlarge",
        "ml.g6.xlarge",
        "ml.g6.12xlarge",
        "ml.g6.48xlarge",
        "ml.p4d.24xlarge",
        "ml.p5.48xlarge",
    },
    "sagemaker_hosting": {
        "ml.t2.medium",
        "ml.m5.large",
        "ml.m5.xlarge",
        "ml.c5.large",
        "ml.c5.xlarge",
        "ml.c5.2xlarge",
        "ml.g4dn.xlarge",
        "ml.g5.xlarge",
        "ml.g5.2xlarge",
        "ml.g6.xlarge",
        "ml.g5.12xlarge",
    },
    "sagemaker_mlflow": {"small", "medium", "large"},
    "ec2_ondemand": {
        "m6i.large",
        "m6i.xlarge",
        "g4dn.xlarge",
        "g4dn.12xlarge",
        "g5.xlarge",
        "g5.2xlarge",
        "g5.12xlarge",
        "g5.48xlarge",
        "g6.xlarge",
        "g6.12xlarge",
        "g6.48xlarge",
        "p4d.24xlarge",
        "p5.48xlarge",
    },
}

GPU_NAMES = ("t4", "a10g", "l4", "a100", "h100")

# catalog section -> price table that must price it
CATALOG_TABLES = {"sagemaker_training": "sagemaker_training", "ec2": "ec2_ondemand"}


def _load(name: str) -> dict:
    with (DATA / name).open(encoding="utf-8") as fh:
        return yaml.safe_load(fh)


@pytest.fixture(scope="module")
def prices() -> dict:
    return _load("prices_aws.yaml")


@pytest.fixture(scope="module")
def catalog() -> dict:
    return _load("gpu_catalog_aws.yaml")


def _items(prices: dict) -> dict:
    return {k: v for k, v in prices.items() if k != "meta"}


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _price_rows(name: str, item: dict) -> dict[str, dict]:
    """{key: {region: price}}; a flat item becomes a single row keyed by its own name."""
    if "keyed_by" in item:
        return item["prices"]
    return {name: item["prices"]}


# --------------------------------------------------------------------------- meta


def test_meta(prices, catalog):
    for doc in (prices, catalog):
        meta = doc["meta"]
        assert tuple(meta["regions"]) == REGIONS
        assert meta["retrieved"] == "2026-12-02"
        assert meta["notes"], "method notes are required"
    assert prices["meta"]["currency"] == "USD"


def test_required_items_present(prices):
    missing = REQUIRED_ITEMS - set(_items(prices))
    assert not missing, f"missing price items: {sorted(missing)}"


@pytest.mark.parametrize("table", sorted(REQUIRED_KEYS))
def test_required_keys_present(prices, table):
    item = prices[table]
    listed = set(item["prices"]) | set(item.get("not_offered", {}))
    missing = REQUIRED_KEYS[table] - listed
    assert not missing, f"{table} lacks {sorted(missing)}"


# --------------------------------------------------------------------------- every item


def test_every_item_has_unit_source_basis(prices):
    for name, item in _items(prices).items():
        assert isinstance(item.get("unit"), str) and item["unit"].strip(), name
        assert HTTPS.match(item.get("source", "")), f"{name}: source must be an https URL"
        for extra in item.get("sources", []):
            assert HTTPS.match(extra), f"{name}: {extra!r} is not an https URL"
        assert isinstance(item.get("basis"), str) and item["basis"].strip(), name


def test_knowledge_items_use_the_agreed_basis(prices):
    # Anything that is not flagged as an assumption rests (at least partly) on knowledge of
    # the published list price and must say so in the agreed words.
    for name, item in _items(prices).items():
        if item["basis"].startswith(("assumption", "AWS Price List API")):
            continue  # an assumption, or refreshed by mlgen/data/refresh_prices_aws.py
        assert item["basis"] == KNOWLEDGE_BASIS, name


def test_every_item_prices_all_regions(prices):
    for name, item in _items(prices).items():
        not_offered = item.get("not_offered", {})
        assert set(not_offered) <= set(item["prices"]), f"{name}: not_offered names keys that have no price row"
        for key, row in _price_rows(name, item).items():
            assert isinstance(row, dict), f"{name}/{key}: prices must map region -> number"
            skipped = set(not_offered.get(key, []))
            assert skipped <= set(REGIONS), f"{name}/{key}: unknown region in not_offered"
            assert not (set(row) & skipped), f"{name}/{key}: priced and not_offered at once"
            assert set(row) | skipped == set(REGIONS), (
                f"{name}/{key}: regions {sorted(set(REGIONS) - set(row) - skipped)} "
                "are neither priced nor listed as not_offered"
            )
            assert set(row) <= set(REGIONS), f"{name}/{key}: unexpected region"


def test_not_offered_only_on_instance_tables(prices):
    for name, item in _items(prices).items():
        if item.get("not_offered"):
            assert item.get("keyed_by") == "instance_type", name


def test_prices_are_positive_numbers(prices):
    for name, item in _items(prices).items():
        for key, row in _price_rows(name, item).items():
            for region, value in row.items():
                where = f"{name}/{key}/{region}"
                assert _is_number(value), f"{where}: {value!r} is not a number"
                if item.get("free"):
                    assert value == 0, f"{where}: a free item must be priced 0"
                else:
                    assert value > 0, f"{where}: {value!r} is not positive"


def test_only_genuinely_free_items_are_zero(prices):
    free = {name for name, item in _items(prices).items() if item.get("free")}
    assert free == {"ce_anomaly_detection_month"}


def test_spot_fractions_in_open_unit_interval(prices):
    item = prices["spot_discount"]
    assert item["keyed_by"] == "family"
    assert "assumption" in item["basis"].lower()
    assert item.get("notes"), "spot discount must carry a note that it is an assumption"
    for family, row in item["prices"].items():
        for region, value in row.items():
            assert 0 < value < 1, f"spot_discount/{family}/{region}: {value}"


def test_spot_families_cover_priced_ec2_families(prices):
    families = {t.split(".")[0] for t in prices["ec2_ondemand"]["prices"]}
    assert families <= set(prices["spot_discount"]["prices"])


def test_budgets_free_tier_is_noted(prices):
    assert prices["budgets_month"].get("free_tier")


def test_hourly_prices_are_plausible(prices):
    # Guard against unit slips (per-month figures typed into per-hour tables, and the like).
    for name in ("sagemaker_training", "sagemaker_hosting", "ec2_ondemand"):
        for key, row in prices[name]["prices"].items():
            for region, value in row.items():
                assert 0.01 < value < 200, f"{name}/{key}/{region}: {value}"


def test_sagemaker_costs_more_than_the_same_ec2_instance(prices):
    ec2 = prices["ec2_ondemand"]["prices"]
    for table in ("sagemaker_training", "sagemaker_hosting"):
        for ml_type, row in prices[table]["prices"].items():
            base = ec2.get(ml_type.removeprefix("ml."))
            if not base:
                continue
            for region, value in row.items():
                if region in base:
                    assert value > base[region], f"{table}/{ml_type}/{region}"


def test_us_regions_never_dearer_than_eu(prices):
    # Holds for every item here; a violation almost always means a swapped column.
    for name, item in _items(prices).items():
        for key, row in _price_rows(name, item).items():
            us = [row[r] for r in ("us-east-1", "us-west-2") if r in row]
            eu = [row[r] for r in ("eu-west-1", "eu-central-1") if r in row]
            if us and eu and name != "spot_discount":
                assert max(us) <= min(eu), f"{name}/{key}: {row}"


# --------------------------------------------------------------------------- catalog


def test_catalog_has_all_gpus_and_cpu(catalog):
    assert set(GPU_NAMES) | {"cpu"} <= set(catalog)


@pytest.mark.parametrize("gpu", (*GPU_NAMES, "cpu"))
def test_catalog_entry_shape(catalog, gpu):
    entry = catalog[gpu]
    assert isinstance(entry.get("name"), str)
    assert entry.get("sources"), gpu
    for url in entry["sources"]:
        assert HTTPS.match(url), f"{gpu}: {url!r}"
    assert entry.get("basis"), gpu
    if gpu == "cpu":
        assert entry["memory_gb"] == 0
    else:
        assert isinstance(entry["memory_gb"], int) and entry["memory_gb"] > 0
    assert entry.get("sagemaker_training") and entry.get("ec2"), gpu
    for section in CATALOG_TABLES:
        for itype, spec in entry[section].items():
            assert isinstance(spec["gpus"], int), f"{gpu}/{itype}"
            assert spec["gpus"] == 0 if gpu == "cpu" else spec["gpus"] >= 1, f"{gpu}/{itype}"
            assert set(spec["regions"]) == set(REGIONS), f"{gpu}/{itype}: every priced region"
            assert all(isinstance(v, bool) for v in spec["regions"].values()), f"{gpu}/{itype}"
            if section == "sagemaker_training":
                assert itype.startswith("ml."), itype


def test_catalog_memory_per_gpu(catalog):
    expected = {"t4": 16, "a10g": 24, "l4": 24, "a100": 40, "h100": 80}
    assert {g: catalog[g]["memory_gb"] for g in GPU_NAMES} == expected


def test_unavailable_regions_are_explained(catalog):
    for gpu in (*GPU_NAMES, "cpu"):
        entry = catalog[gpu]
        has_gap = any(
            not ok for section in CATALOG_TABLES for spec in entry[section].values() for ok in spec["regions"].values()
        )
        if has_gap:
            assert entry.get("notes"), f"{gpu}: regions marked unavailable need a note"


def test_every_available_catalog_instance_is_priced(prices, catalog):
    problems = []
    for gpu in (*GPU_NAMES, "cpu"):
        for section, table in CATALOG_TABLES.items():
            priced = prices[table]["prices"]
            for itype, spec in catalog[gpu][section].items():
                for region, available in spec["regions"].items():
                    if not available:
                        continue
                    value = priced.get(itype, {}).get(region)
                    if not (_is_number(value) and value > 0):
                        problems.append(f"{gpu}: {table}/{itype}/{region}")
    assert not problems, "available but unpriced: " + ", ".join(problems)


def test_catalog_and_price_table_agree_on_availability(prices, catalog):
    # A region that the price table marks not_offered must not be marked available, and a
    # catalogued instance must appear in its price table at all.
    for gpu in (*GPU_NAMES, "cpu"):
        for section, table in CATALOG_TABLES.items():
            item = prices[table]
            for itype, spec in catalog[gpu][section].items():
                assert itype in item["prices"], f"{table} has no row for {itype}"
                for region in item.get("not_offered", {}).get(itype, []):
                    assert spec["regions"][region] is False, f"{gpu}/{itype}/{region}"


def test_h100_not_available_in_eu(catalog):
    for section in CATALOG_TABLES:
        for spec in catalog["h100"][section].values():
            assert spec["regions"]["eu-west-1"] is False
            assert spec["regions"]["eu-central-1"] is False


# --------------------------------------------------------------------------- offered regions


def test_a_region_without_prices_is_refused_without_suggesting_an_unpriced_region():
    import re as _re

    from mlgen.answers import aws_regions, build_answers, priced_regions
    from mlgen.errors import AnswersError

    for region in sorted(set(aws_regions()) - set(priced_regions())):
        with pytest.raises(AnswersError) as info:
            build_answers({"cloud": {"region": region}})
        (line,) = [d for d in info.value.details if d.startswith("cloud.region:")]
        suggested = _re.findall(r"did you mean '([^']+)'", line)
        assert all(s in priced_regions() for s in suggested), line


def test_every_offered_region_prices_every_instance_type_mlgen_can_choose():
    """A region is offered (meta.regions) only when every catalogued type sold there has a price."""
    from mlgen.catalog import ec2_price, hosting_price, training_price

    offered = _load("prices_aws.yaml")["meta"]["regions"]
    catalog = _load("gpu_catalog_aws.yaml")
    for region in offered:
        for gpu, entry in catalog.items():
            if gpu == "meta":
                continue
            for itype, inst in entry.get("sagemaker_training", {}).items():
                if inst["regions"].get(region):
                    assert training_price(itype, region) > 0, (itype, region)
            for itype, inst in entry.get("ec2", {}).items():
                if inst["regions"].get(region):
                    assert (ec2_price(itype, region) or 0) > 0, (itype, region)
        for itype in ("ml.m5.xlarge", "ml.c5.xlarge", "ml.g5.xlarge"):  # what choose_inference may pick
            assert hosting_price(itype, region) > 0, (itype, region)


# --------------------------------------------------------------------------- refresh script


class _FakePricing:
    """Answers get_products like the Price List API, from a table of (service, key, region) -> USD."""

    def __init__(self, table: dict) -> None:
        self.table = table
        self.calls = 0

    def get_products(self, ServiceCode: str, Filters: list, MaxResults: int) -> dict:
        self.calls += 1
        f = {x["Field"]: x["Value"] for x in Filters}
        key = f.get("instanceName") or f.get("instanceType") or "flat"
        usd = self.table.get((ServiceCode, key, f["regionCode"]))
        if usd is None:
            return {"PriceList": []}
        product = {
            "terms": {
                "OnDemand": {
                    "T1": {
                        "priceDimensions": {
                            "free": {"beginRange": "0", "pricePerUnit": {"USD": "0.0000000000"}},
                            "paid": {"beginRange": "1", "pricePerUnit": {"USD": str(usd)}},
                        }
                    }
                }
            }
        }
        return {"PriceList": [json.dumps(product)]}


def test_refresh_script_parses_the_price_list_and_merges_new_regions():
    from mlgen.data import refresh_prices_aws as refresh

    prices = _load("prices_aws.yaml")
    fake = _FakePricing(
        {
            ("AmazonSageMaker", "ml.g5.xlarge", "sa-east-1"): 1.6,
            ("AmazonEC2", "g5.xlarge", "sa-east-1"): 1.2,
            ("AmazonEC2", "flat", "sa-east-1"): 0.05,
        }
    )
    fetched = refresh.collect(fake, prices, ["sa-east-1"])
    assert fetched["sagemaker_training"]["ml.g5.xlarge"] == {"sa-east-1": 1.6}  # skips the $0 free tier
    assert fetched["nat_gateway_hour"] == {"sa-east-1": 0.05}
    doc = refresh.apply(prices, fetched, ["sa-east-1"], "2027-01-01")
    assert "sa-east-1" in doc["meta"]["regions"] and doc["meta"]["retrieved"] == "2027-01-01"
    assert doc["sagemaker_training"]["prices"]["ml.g5.xlarge"]["sa-east-1"] == 1.6
    assert doc["sagemaker_training"]["prices"]["ml.g5.xlarge"]["us-east-1"] == 1.408  # kept
    assert "sa-east-1" in doc["sagemaker_training"]["not_offered"]["ml.p5.48xlarge"]  # not returned
    assert doc["sagemaker_training"]["basis"].startswith("AWS Price List API")
    assert "sa-east-1" not in prices["meta"]["regions"]  # apply() is pure


# --------------------------------------------------------------------------- the regions of issue 13

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
# Each region with the residency answer that offers it; eu-west-2 is the United Kingdom, not the EU.
RESIDENCY_OF = {
    "us-east-2": "us",
    "eu-west-2": "uk",
    "ca-central-1": "ca",
    "ap-southeast-2": "au",
    "ap-northeast-1": "jp",
}


def _plan(data: dict):  # type: ignore[no-untyped-def]
    from mlgen.answers import build_answers
    from mlgen.decide import decide

    return decide(build_answers(data)).cost


def test_every_residency_choice_offers_a_priced_region():
    from mlgen.answers import aws_regions, priced_regions, residency_regions

    for jurisdiction in ("us", "ca", "eu", "uk", "au", "jp"):
        allowed = residency_regions([jurisdiction]) or set()
        assert allowed & set(priced_regions()), f"residency {jurisdiction!r} offers no priced region"
    assert residency_regions(["uk"]) & set(priced_regions()) == {"eu-west-2"}
    assert "eu-west-2" not in residency_regions(["eu"])  # the UK is not in the EU
    assert {aws_regions()[r]["jurisdiction"] for r in RESIDENCY_OF} == set(RESIDENCY_OF.values())


@pytest.mark.parametrize("region", NEW_REGIONS)
def test_new_region_is_accepted_and_prices_the_default_answers(region):
    cost = _plan({"cloud": {"region": region}})
    base = _plan({"cloud": {"region": "us-east-1"}})
    assert cost.region == region
    assert cost.lines and all(math.isfinite(line.idle_usd + line.usage_usd) for line in cost.lines)
    # Same architecture, regional prices: never cheaper than N. Virginia, never wildly dearer.
    assert base.total_usd <= cost.total_usd <= 1.6 * base.total_usd, (base.total_usd, cost.total_usd)
    assert {(l.module, l.item) for l in cost.lines} == {(l.module, l.item) for l in base.lines}


@pytest.mark.parametrize("region", [r for r in NEW_REGIONS if RESIDENCY_OF[r] != "us"])
def test_batch_example_prices_in_each_new_residency(region):
    """The EU batch example moved to the UK, Canada, Australia and Japan keeps every cost line."""
    from mlgen.answers import read_answers_file

    data = read_answers_file(EXAMPLES / "eu-fintech-batch" / "answers.yml")
    data["cloud"] = {**data["cloud"], "region": region, "dr_region": None}
    data["compliance"] = {**data["compliance"], "data_residency": [RESIDENCY_OF[region]]}
    cost = _plan(data)
    home = _plan(
        {
            **data,
            "cloud": {**data["cloud"], "region": "eu-west-1"},
            "compliance": {**data["compliance"], "data_residency": ["eu"]},
        }
    )

    def priced(c) -> dict:  # type: ignore[no-untyped-def]
        return {(l.environment, l.module, l.item): (l.idle_usd > 0, l.usage_usd > 0) for l in c.lines}

    # Same lines, and every line that costs something in Ireland costs something here too.
    assert priced(cost) == priced(home)
    assert any(l.module == "training" and l.usage_usd > 0 for l in cost.lines)


def test_an_unpriced_region_is_answered_with_a_priced_region_of_the_same_jurisdiction():
    """eu-west-3 (Paris) must not be nudged to eu-west-2 (London, outside the EU)."""
    import re as _re

    from mlgen.answers import aws_regions, build_answers, priced_regions
    from mlgen.errors import AnswersError

    regions = aws_regions()
    for region in sorted(set(regions) - set(priced_regions())):
        home = regions[region]["jurisdiction"]
        if not any(regions[p]["jurisdiction"] == home for p in priced_regions()):
            continue
        with pytest.raises(AnswersError) as info:
            build_answers({"cloud": {"region": region}})
        (line,) = [d for d in info.value.details if d.startswith("cloud.region:")]
        (suggested,) = _re.findall(r"did you mean '([^']+)'", line)
        assert regions[suggested]["jurisdiction"] == home, (region, suggested)
