"""A small IAM policy evaluator: is one request allowed by a set of policies?

Why not a library: policy_sentry writes policies, parliament and cloudsplaining lint them for
risky patterns; none answers "is principal P allowed action A on resource R with context C"
(iamspy, the one that tries, is a 2022 0.0.1 release). This covers what AWS's evaluation logic
does for same-account requests: explicit Deny wins; an Allow in an identity policy or in a
resource policy naming the principal grants; KMS needs the key policy to allow, directly or by
delegating to the account root (then the identity policy must allow too). Action/NotAction,
Resource/NotResource, Principal, and the condition operators our policies use (String*, Arn*,
Bool, Numeric*, Null, *IfExists, ForAnyValue:/ForAllValues:) are implemented; any other
operator raises, so a new one cannot pass silently.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any


def _list(v: Any) -> list[Any]:
    if v is None:
        return []
    return v if isinstance(v, list) else [v]


def _glob(pattern: str, value: str, *, case: bool = True) -> bool:
    """IAM wildcards: ``*`` any run, ``?`` one character (no character classes)."""
    rx = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    return re.fullmatch(rx, value, flags=0 if case else re.IGNORECASE) is not None


def action_matches(patterns: Iterable[str], action: str) -> bool:
    return any(_glob(p, action, case=False) for p in patterns)


def resource_matches(patterns: Iterable[str], resource: str) -> bool:
    return any(_glob(p, resource) for p in patterns)


@dataclass(frozen=True)
class Request:
    principal: str  # role ARN, or "service:<host>" for an AWS service principal
    action: str
    resource: str
    context: Mapping[str, Any] = field(default_factory=dict)


def _op(base: str, want: str, have: str) -> bool:
    if base == "StringEquals":
        return want == have
    if base == "StringNotEquals":
        return want != have
    if base == "StringEqualsIgnoreCase":
        return want.lower() == have.lower()
    if base in ("StringLike", "ArnLike", "ArnEquals"):
        return _glob(want, have)
    if base in ("StringNotLike", "ArnNotLike", "ArnNotEquals"):
        return not _glob(want, have)
    if base == "Bool":
        return str(want).lower() == str(have).lower()
    if base.startswith("Numeric"):
        a, b = float(have), float(want)
        return {
            "NumericEquals": a == b,
            "NumericNotEquals": a != b,
            "NumericLessThan": a < b,
            "NumericLessThanEquals": a <= b,
            "NumericGreaterThan": a > b,
            "NumericGreaterThanEquals": a >= b,
        }[base]
    raise NotImplementedError(f"condition operator {base!r}")


_NEGATED = ("StringNotEquals", "StringNotLike", "ArnNotLike", "ArnNotEquals", "NumericNotEquals")


def conditions_hold(condition: Mapping[str, Mapping[str, Any]] | None, context: Mapping[str, Any]) -> bool:
    """Every operator block holds (AND), each key's values are alternatives (OR)."""
    for operator, keys in (condition or {}).items():
        qualifier, _, base = operator.rpartition(":")
        if_exists = base.endswith("IfExists")
        base = base.removesuffix("IfExists")
        for key, wants in keys.items():
            ctx = {k.lower(): v for k, v in context.items()}
            present = key.lower() in ctx
            if base == "Null":
                if (str(_list(wants)[0]).lower() == "true") == present:
                    return False
                continue
            if not present:
                if if_exists or qualifier == "ForAllValues":
                    continue
                return False
            haves = [str(h) for h in _list(ctx[key.lower()])]
            wants_l = [str(w) for w in _list(wants)]
            negated = base in _NEGATED
            if qualifier == "ForAllValues":
                ok = all(any(_op(base, w, h) for w in wants_l) for h in haves)
            elif negated:
                ok = all(all(_op(base, w, h) for w in wants_l) for h in haves)
            else:
                ok = any(_op(base, w, h) for w in wants_l for h in haves)
            if not ok:
                return False
    return True


def _principal_matches(principal_block: Any, principal: str, account: str) -> bool:
    if principal_block == "*":
        return True
    for kind, values in (principal_block or {}).items():
        for v in _list(values):
            if v == "*":
                return True
            if kind == "Service" and principal == f"service:{v}":
                return True
            if kind == "AWS" and (v == principal or v in (account, f"arn:aws:iam::{account}:root")):
                return True
    return False


def statement_applies(st: Mapping[str, Any], req: Request, *, resource_policy: bool, account: str) -> bool:
    if "Action" in st and not action_matches(_list(st["Action"]), req.action):
        return False
    if "NotAction" in st and action_matches(_list(st["NotAction"]), req.action):
        return False
    if "Resource" in st and not resource_matches(_list(st["Resource"]), req.resource):
        return False
    if "NotResource" in st and resource_matches(_list(st["NotResource"]), req.resource):
        return False
    if resource_policy:
        if "Principal" in st and not _principal_matches(st["Principal"], req.principal, account):
            return False
        if "NotPrincipal" in st and _principal_matches(st["NotPrincipal"], req.principal, account):
            return False
    return conditions_hold(st.get("Condition"), req.context)


def statements(policy: str | Mapping[str, Any] | None) -> list[dict[str, Any]]:
    if not policy:
        return []
    doc = json.loads(policy) if isinstance(policy, str) else policy
    return [dict(s) for s in _list(doc.get("Statement"))]


def _effects(
    policies: Iterable[list[dict[str, Any]]], req: Request, *, resource_policy: bool, account: str
) -> set[str]:
    out: set[str] = set()
    for sts in policies:
        for st in sts:
            if statement_applies(st, req, resource_policy=resource_policy, account=account):
                out.add(st.get("Effect", "Allow"))
    return out


def _names_principal_directly(sts: list[dict[str, Any]], req: Request, account: str) -> bool:
    """An Allow in a resource policy that names the principal itself (not the account root)."""
    for st in sts:
        if st.get("Effect") != "Allow" or not statement_applies(st, req, resource_policy=True, account=account):
            continue
        block = st.get("Principal")
        if block == "*" or any(
            v == "*" or v == req.principal or (k == "Service" and req.principal == f"service:{v}")
            for k, vs in (block or {}).items()
            for v in _list(vs)
        ):
            return True
    return False


def allowed(
    req: Request,
    *,
    identity: list[list[dict[str, Any]]],
    resource: list[dict[str, Any]] | None = None,
    key_policy: bool = False,
    account: str,
) -> bool:
    """AWS's same-account decision for ``req``.

    ``identity``: the principal's policies (statements each). ``resource``: the resource policy,
    if any. ``key_policy``: the resource policy is a KMS key policy (it must allow; IAM alone never
    grants a key unless the key policy delegates to the account root).
    """
    ident = _effects(identity, req, resource_policy=False, account=account)
    res = _effects([resource or []], req, resource_policy=True, account=account)
    if "Deny" in ident or "Deny" in res:
        return False
    if key_policy:
        if _names_principal_directly(resource or [], req, account):
            return True
        return "Allow" in res and "Allow" in ident
    return "Allow" in ident or ("Allow" in res and _names_principal_directly(resource or [], req, account))


__all__ = ["Request", "allowed", "conditions_hold", "statements"]
