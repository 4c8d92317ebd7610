"""Maintainer script: refresh ``prices_aws.yaml`` from the AWS Price List API.

    python -m mlgen.data.refresh_prices_aws --regions us-east-1 us-east-2 eu-west-2 --out fetched.json
    python -m mlgen.data.refresh_prices_aws --apply fetched.json        # merge into prices_aws.yaml

Needs AWS credentials allowed to call ``pricing:GetProducts`` (the Price List query API answers
from us-east-1) and boto3 (not an mlgen dependency; install it for this script). It fetches
on-demand USD prices for every item in :data:`QUERIES` and every instance type already listed in
the keyed tables, for each region asked; a (key, region) the API does not return is recorded as
not offered. ``--apply`` writes the figures, adds the regions to ``meta.regions``, and stamps
``meta.retrieved`` and each refreshed item's ``basis`` with the API and the date. Review the diff:
comments in the YAML are not kept, and the GPU catalog's region flags are not changed.
"""

from __future__ import annotations

import argparse
import datetime as _dt
import json
import sys
from pathlib import Path
from typing import Any

import yaml

PRICES = Path(__file__).with_name("prices_aws.yaml")
API_BASIS = "AWS Price List API (pricing.get_products), on-demand USD"

# Flat items: service code and attribute filters (regionCode is added per region). The first
# on-demand price dimension of the first matching product is taken (the first, smallest-volume tier).
QUERIES: dict[str, tuple[str, dict[str, str]]] = {
    "nat_gateway_hour": ("AmazonEC2", {"productFamily": "NAT Gateway", "group": "NGW:NatGateway"}),
    "eks_cluster_hour": ("AmazonEKS", {"operation": "CreateOperation", "tiertype": "HAStandard"}),
    "kms_key_month": ("awskms", {"usagetype": "KMS-Keys"}),
    "s3_standard_gb_month": ("AmazonS3", {"volumeType": "Standard", "productFamily": "Storage"}),
    "s3_standard_ia_gb_month": ("AmazonS3", {"volumeType": "Standard - Infrequent Access"}),
    "ecr_storage_gb_month": ("AmazonECR", {"productFamily": "EC2 Container Registry"}),
    "cloudwatch_logs_ingest_gb": ("AmazonCloudWatch", {"productFamily": "Data Payload", "group": "Ingested Logs"}),
    "cloudwatch_alarm_month": ("AmazonCloudWatch", {"productFamily": "Alarm", "alarmType": "Standard"}),
    "cloudwatch_custom_metric_month": ("AmazonCloudWatch", {"productFamily": "Metric"}),
    "public_ipv4_address_hour": ("AmazonVPC", {"group": "VPCPublicIPv4Address"}),
    "vpc_interface_endpoint_az_hour": ("AmazonVPC", {"productFamily": "VpcEndpoint", "group": "VpcEndpoint-Hours"}),
}


def _filters(attrs: dict[str, str], region: str) -> list[dict[str, str]]:
    return [{"Type": "TERM_MATCH", "Field": k, "Value": v} for k, v in {**attrs, "regionCode": region}.items()]


def on_demand_usd(price_item: str | dict[str, Any]) -> float | None:
    """The first non-zero on-demand USD price of one Price List product (a JSON string or dict)."""
    item = json.loads(price_item) if isinstance(price_item, str) else price_item
    for term in item.get("terms", {}).get("OnDemand", {}).values():
        dims = sorted(term.get("priceDimensions", {}).values(), key=lambda d: float(d.get("beginRange", "0") or 0))
        for dim in dims:
            usd = float(dim.get("pricePerUnit", {}).get("USD", "0"))
            if usd > 0:
                return usd
    return None


def fetch(client: Any, service: str, attrs: dict[str, str], region: str) -> float | None:
    """The on-demand price of the first product matching ``attrs`` in ``region`` (None if none)."""
    response = client.get_products(ServiceCode=service, Filters=_filters(attrs, region), MaxResults=10)
    for raw in response.get("PriceList", []):
        usd = on_demand_usd(raw)
        if usd is not None:
            return usd
    return None


def keyed_queries(prices: dict[str, Any]) -> dict[str, dict[str, tuple[str, dict[str, str]]]]:
    """Per keyed table, the query for each instance type already listed in it."""
    out: dict[str, dict[str, tuple[str, dict[str, str]]]] = {"sagemaker_training": {}, "sagemaker_hosting": {}}
    out["ec2_ondemand"] = {}
    for itype in prices["sagemaker_training"]["prices"]:
        out["sagemaker_training"][itype] = ("AmazonSageMaker", {"instanceName": itype, "component": "Training"})
    for itype in prices["sagemaker_hosting"]["prices"]:
        out["sagemaker_hosting"][itype] = ("AmazonSageMaker", {"instanceName": itype, "component": "Hosting"})
    for itype in prices["ec2_ondemand"]["prices"]:
        out["ec2_ondemand"][itype] = (
            "AmazonEC2",
            {
                "instanceType": itype,
                "operatingSystem": "Linux",
                "tenancy": "Shared",
                "preInstalledSw": "NA",
                "capacitystatus": "Used",
                "licenseModel": "No License required",
            },
        )
    return out


def collect(client: Any, prices: dict[str, Any], regions: list[str]) -> dict[str, Any]:
    """Fetch every flat and keyed item for ``regions``: ``{item: {region: usd}}`` / ``{item: {key: {...}}}``."""
    fetched: dict[str, Any] = {}
    for item, (service, attrs) in QUERIES.items():
        fetched[item] = {r: v for r in regions if (v := fetch(client, service, attrs, r)) is not None}
    for table, keys in keyed_queries(prices).items():
        fetched[table] = {
            key: {r: v for r in regions if (v := fetch(client, service, attrs, r)) is not None}
            for key, (service, attrs) in keys.items()
        }
    return fetched


def apply(prices: dict[str, Any], fetched: dict[str, Any], regions: list[str], today: str) -> dict[str, Any]:
    """Merge fetched figures into the price document (pure; returns a new document)."""
    doc = json.loads(json.dumps(prices))
    doc["meta"]["regions"] = sorted(set(doc["meta"]["regions"]) | set(regions))
    doc["meta"]["retrieved"] = today
    for item, rows in fetched.items():
        entry = doc[item]
        if entry.get("keyed_by"):
            not_offered = entry.setdefault("not_offered", {})
            for key, row in rows.items():
                entry["prices"].setdefault(key, {}).update(row)
                missing = sorted(set(regions) - set(row))
                if missing:
                    not_offered[key] = sorted(set(not_offered.get(key, [])) | set(missing))
                not_offered[key] = [r for r in not_offered.get(key, []) if r not in entry["prices"][key]]
                if not not_offered[key]:
                    del not_offered[key]
        else:
            entry["prices"].update(rows)
        entry["basis"] = f"{API_BASIS}, retrieved {today}"
    return doc


def main(argv: list[str] | None = None) -> int:
    """Fetch with ``--regions`` (and ``--out``), or merge a fetched file with ``--apply``."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--regions", nargs="+", help="regions to fetch (default: meta.regions)")
    parser.add_argument("--out", type=Path, default=Path("fetched_prices.json"))
    parser.add_argument("--apply", type=Path, help="merge a fetched JSON file into prices_aws.yaml")
    args = parser.parse_args(argv)
    prices = yaml.safe_load(PRICES.read_text(encoding="utf-8"))
    today = _dt.date.today().isoformat()
    if args.apply:
        fetched = json.loads(args.apply.read_text(encoding="utf-8"))
        regions = sorted({r for rows in fetched["prices"].values() for r in _regions_of(rows)})
        doc = apply(prices, fetched["prices"], regions, fetched.get("retrieved", today))
        PRICES.write_text(yaml.safe_dump(doc, sort_keys=False, width=120), encoding="utf-8")
        return 0
    import boto3  # maintainer-only dependency

    client = boto3.client("pricing", region_name="us-east-1")
    regions = args.regions or list(prices["meta"]["regions"])
    fetched = collect(client, prices, regions)
    args.out.write_text(json.dumps({"retrieved": today, "prices": fetched}, indent=2, sort_keys=True) + "\n")
    print(f"wrote {args.out}: {len(fetched)} items for {', '.join(regions)}")
    return 0


def _regions_of(rows: dict[str, Any]) -> set[str]:
    if rows and all(isinstance(v, dict) for v in rows.values()):
        return {r for row in rows.values() for r in row}
    return set(rows)


if __name__ == "__main__":
    sys.exit(main())
