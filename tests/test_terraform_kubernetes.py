"""Terraform kubernetes_* resources are checked by the Kubernetes rules, at their .tf lines."""

from __future__ import annotations

from pathlib import Path

from blastguard.engine import fixes

TF = (Path(__file__).parent / "data" / "kubernetes_resources.tf").read_text()


def test_kubernetes_rules_apply_to_provider_resources(engine):
    result = engine.analyze("main.tf", TF.encode())
    assert not result.errors
    assert {(f.rule, f.start.line) for f in result.findings} == {
        ("K8S108", 11), ("K8S109", 12), ("K8S110", 13), ("K8S101", 18), ("K8S106", 21), ("K8S104", 28),
        ("K8S103", 34), ("K8S208", 46), ("K8S210", 50), ("K8S201", 59), ("K8S111", 76),
    }


def test_a_kubernetes_fix_edits_the_terraform_value(engine):
    data = TF.encode()
    finding = next(f for f in engine.analyze("main.tf", data).findings if f.rule == "K8S101")
    fixed, _ = fixes.apply(data, finding.fix.edits)
    assert b"privileged                 = false" in fixed
    assert fixed.replace(b"privileged                 = false", b"privileged                 = true") == data
