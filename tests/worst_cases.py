"""Inputs that once made analysis slow (backtracking regexes, quadratic walks) or large in
memory; shared by tests/test_worst_cases.py (hang guards, memory budget) and bench/memory.py."""

from __future__ import annotations

MB = 1_000_000

# name -> (file name, text). Each took 8 s to over a minute, or over 600 MB, before it was fixed
# (figures in the closing note of issue 13 and from bench/memory.py).
SLOW = {
    "helm-directive-line": ("chart/templates/cm.yaml", "apiVersion: v1\nkind: ConfigMap\n" + "{{a}}" * 28 + "x\n"),
    "helm-open-braces": ("chart/templates/cm.yaml",
                         "apiVersion: v1\nkind: ConfigMap\ndata:\n  a: " + "{{ " * 40_000 + "\n"),
    "ansible-jinja-open-braces": ("playbook.yml", "- hosts: all\n  tasks:\n    - shell: echo " + "{{ " * 40_000 + "\n"),
    "ansible-long-words": ("playbook.yml", "- hosts: all\n  tasks:\n    - shell: " + "a" * 100_000
                           + "\n    - file: " + "a" * 100_000 + "\n"),
    "compose-dollar-braces": ("docker-compose.yml", "services:\n  web:\n    image: " + "${" * 100_000 + "\n"),
    "cloudformation-sub-dollar-braces": ("template.yaml", "AWSTemplateFormatVersion: '2010-09-09'\nResources:\n"
                                         "  B:\n    Type: AWS::S3::Bucket\n    Properties:\n"
                                         "      BucketName: !Sub '" + "${" * 100_000 + "'\n"),
    "python-string-concatenation": ("concat.py", "import os\nos.system(" + " + ".join(['"a"'] * 20_000) + ")\n"),
    "secret-dollar-braces": ("secret.yaml", "apiVersion: v1\nkind: Secret\nmetadata: {name: s}\nstringData:\n"
                             "  password: '" + "${" * 50_000 + "'\n"),
}



def kubernetes_bundle(size: int) -> str:
    """A `helm template`/`kustomize build` style bundle of about `size` bytes: the example
    manifests repeated, each copy's objects renamed, joined by `---`."""
    from pathlib import Path

    examples = Path(__file__).resolve().parent.parent / "examples" / "kubernetes"
    one = "---\n".join((examples / name).read_text() for name in ("risky.yaml", "safe.yaml"))
    copies = []
    total = 0
    while total < size - len(one) - 4:
        copies.append(one.replace("\n  name: ", f"\n  name: c{len(copies)}-"))
        total += len(copies[-1]) + 4
    return "---\n".join(copies)


def python_modules(size: int) -> str:
    """Real Python of about `size` bytes: the standard library's modules, in name order."""
    import os
    from pathlib import Path

    out, total = [], 0
    for path in sorted(Path(os.__file__).parent.glob("*.py")):
        text = path.read_text(encoding="utf-8", errors="replace")
        if total + len(text) > size:
            break
        out.append(text)
        total += len(text) + 1
    return "\n".join(out)


def cloudformation_template(size: int) -> str:
    """A JSON template of about `size` bytes: many small buckets, indented as tools write it."""
    import json

    def template(count: int) -> str:
        resources = {f"B{i}": _bucket(i) for i in range(count)}
        return json.dumps({"AWSTemplateFormatVersion": "2010-09-09", "Resources": resources}, indent=2)

    sample = template(1000)
    return template(int(1000 * size / len(sample)))


def _bucket(i: int) -> dict:
    return {"Type": "AWS::S3::Bucket", "Properties": {"BucketName": f"b{i}", "Tags": [{"Key": "k", "Value": "v" * 20}]}}


LARGE = {
    "python-modules-5MiB": ("modules.py", python_modules(5 * 1024 * 1024 - 1024)),
    "cloudformation-json-5MiB": ("template.json", cloudformation_template(5 * 1024 * 1024 - 256 * 1024)),
    "python-nested-calls-60KB": ("nested.py", "x = " + "f(" * 10_000 + ")" * 10_000 + "\n"),
    "terraform-one-line-4MB": ("one.tf", 'locals { a = [' + '"x",' * 800_000 + '] }\n'),
    "comment-lines-5MB": ("comments.tf", "#\n" * (5 * MB // 2 - 10)),
    "yaml-small-documents-5MB": ("docs.yaml", "---\na: 1\n" * (5 * MB // 10 - 10)),
    "kubernetes-bundle-5MiB": ("bundle.yaml", kubernetes_bundle(5 * 1024 * 1024)),
    "terraform-80000-blocks": ("blocks.tf", "".join(
        f'resource "aws_s3_bucket" "b{i}" {{\n  bucket = "x"\n}}\n' for i in range(80_000))),
    # The largest top-level block analysed (terraform_hcl.MAX_REGION_BYTES), as dense as Terraform gets.
    "terraform-block-256KB": ("dense.tf", 'locals { a = [' + '"x",' * 65_000 + '] }\n'),
}
