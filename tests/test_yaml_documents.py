"""YAML and JSON documents: values as YAML defines them, anchors shared, each document classified."""

from __future__ import annotations

import pytest
import yaml

from blastguard.engine import parsing
from blastguard.engine.documents.load import load
from blastguard.engine.documents.yaml_tree import ALIAS_BUDGET, documents
from blastguard.engine.values import LIST, MAP, UNKNOWN, UNKNOWN_PART, DocumentError


def plain(node):
    if node is None:
        return None
    if node.kind == MAP:
        return {k: plain(v) for k, v in node.value.items()}
    if node.kind == LIST:
        return [plain(v) for v in node.value]
    if node.kind == UNKNOWN:
        return ("?", node.value)
    return node.value


def values(text: str):
    return [plain(d) for d in documents(parsing.parse("yaml", text.encode()).root_node, text.encode())]


@pytest.mark.parametrize("text", [
    "a: |\n  l1\n  l2\n\nb: 1\n",
    "a: >\n  l1\n  l2\n\n  l3\n   more\n  l4\nb: 1\n",
    "a: |-\n  x\n\n",
    "x: |2\n    indented\n   y\n",
    'k:\n  - a: "x\\ty\\u00e9"\n    b: \'it\'\'s\'\n  - plain\n    folded\n',
    "s: !!str 123\nu: -.inf\nv: True\nw: null\nx: ~\ny: 0x1F\n",
    "- {a: 1, b}\n- [a: 1, 2]\n",
    "one: 1\n---\ntwo: [1, {three: 3}]\n...\n",
    "base: &b {x: 1, y: [1, 2]}\nd:\n  <<: *b\n  x: 3\ne:\n  <<: [*b]\n",
    "'quoted key': \"multi\n  line\"\n",
    # Plain strings read from their span, and plain text the core schema might type, read from the tree.
    "Fn::GetAtt: a b:c # comment\nkey with spaces: x\n<<x: y\nt: t2.micro\nn: nullable\nf: 1.2.3\nd: -x\ne: .hidden\n",
    "k: # a comment between the key and its value\n  v\n? explicit\n: value\nl:\n- a: b\n  c: {d: e}\n- plain\n  folded\n",
    "m:\n  n:\n    o: p\n  q: [r, 7, true, ~]\ns: &x plain\nt: *x\n",
])
def test_values_match_a_yaml_parser(text):
    assert values(text) == list(yaml.safe_load_all(text))


def test_plain_values_read_from_their_span_keep_their_spans():
    data = b"top:\n  key: some value  # c\n  list:\n  - item\n  - {k: v}\n"
    doc = documents(parsing.parse("yaml", data).root_node, data)[0]
    inner = doc.get("top")
    located = [(data[n.entry_start:n.end], data[n.start:n.end]) for n in (inner.get("key"), inner.get("list"))]
    assert located == [(b"key: some value", b"some value"), (b"list:\n  - item\n  - {k: v}\n", b"- item\n  - {k: v}\n")]
    assert [data[n.start:n.end] for n in inner.get("list").value] == [b"item", b"{k: v}"]



def test_a_local_tag_keeps_its_name_and_the_value_it_tags_with_their_spans():
    data = b"a: !Ref Foo\nb: !Sub  x y\nc:\n- !GetAtt A.B\n- !!str 12\nd: !Sub |\n  z\ne: !Ref 'q'\nf: !Ref 7\n"
    doc = documents(parsing.parse("yaml", data).root_node, data)[0]

    def seen(node):
        inner = node.meta["value"] if node.meta else node
        return (node.kind, data[node.start:node.end], node.meta and node.meta["tag"], inner.value,
                data[inner.start:inner.end])

    assert [seen(doc.get(key)) for key in "abdef"] + [seen(item) for item in doc.get("c").value] == [
        (UNKNOWN, b"!Ref Foo", "!Ref", "Foo", b"Foo"),
        (UNKNOWN, b"!Sub  x y", "!Sub", "x y", b"x y"),
        (UNKNOWN, b"!Sub |\n  z", "!Sub", "z\n", b"|\n  z"),
        (UNKNOWN, b"!Ref 'q'", "!Ref", "q", b"'q'"),
        (UNKNOWN, b"!Ref 7", "!Ref", 7, b"7"),
        (UNKNOWN, b"!GetAtt A.B", "!GetAtt", "A.B", b"A.B"),
        ("scalar", b"12", None, "12", b"12"),
    ]

def test_an_alias_shares_the_anchored_value_and_is_located_at_the_alias():
    text = "base: &b\n  privileged: true\nother: *b\n"
    doc = documents(parsing.parse("yaml", text.encode()).root_node, text.encode())[0]
    alias = doc.get("other")
    assert alias.value is doc.get("base").value
    assert text.encode()[alias.start:alias.end] == b"*b"
    assert text.encode()[alias.entry_start:alias.end] == b"other: *b"


def alias_bomb() -> str:
    """Six anchors of 50 aliases each to the one before: 50**5 values once expanded."""
    lines = ["a: &a [" + ", ".join(["x"] * 50) + "]"]
    previous = "a"
    for name in "bcdef":
        lines.append(f"{name}: &{name} [" + ", ".join([f"*{previous}"] * 50) + "]")
        previous = name
    return "\n".join(lines)


def test_aliases_that_expand_past_the_budget_are_refused_with_the_line():
    with pytest.raises(DocumentError) as info:
        documents(parsing.parse("yaml", alias_bomb().encode()).root_node, alias_bomb().encode())
    assert 50 ** 3 > ALIAS_BUDGET and info.value.line == 3


def subjects(path: str, text: str, syntax: str = "yaml"):
    doc = load(path, syntax, syntax, text.encode(), lambda language, kind, type_: True)
    return doc, [(s.language, s.kind, s.type, s.name) for s in doc.subjects]


def test_kubernetes_objects_pod_specs_and_containers_across_documents_and_lists():
    text = """\
apiVersion: batch/v1
kind: CronJob
metadata: {name: backup}
spec:
  jobTemplate:
    spec:
      template:
        spec:
          initContainers: [{name: init, image: busybox}]
          containers:
            - name: dump
              image: postgres
---
apiVersion: v1
kind: List
items:
  - apiVersion: v1
    kind: Pod
    metadata: {name: debug}
    spec:
      ephemeralContainers:
        - name: shell
          image: busybox
"""
    doc, found = subjects("k8s/all.yaml", text)
    assert doc.languages == ["kubernetes"]
    assert found == [
        ("kubernetes", "object", "CronJob", "backup"), ("kubernetes", "pod", "CronJob", "backup"),
        ("kubernetes", "container", "CronJob", "dump"), ("kubernetes", "container", "CronJob", "init"),
        ("kubernetes", "object", "Pod", "debug"), ("kubernetes", "pod", "Pod", "debug"),
        ("kubernetes", "container", "Pod", "shell"),
    ]
    assert {s.name: s.attrs["list"] for s in doc.subjects if s.kind == "container"} == {
        "dump": "containers", "init": "initContainers", "shell": "ephemeralContainers"}


def test_cloudformation_intrinsics_are_unknown_and_sub_keeps_its_literal_parts():
    text = """\
Resources:
  Role:
    Type: AWS::IAM::Role
    Properties:
      RoleName: !Ref Name
      ManagedPolicyArns:
        - !Sub "arn:${AWS::Partition}:iam::aws:policy/AdministratorAccess"
        - {"Fn::Join": ["", ["arn:", {"Ref": "AWS::Partition"}]]}
      AssumeRolePolicyDocument:
        Statement:
          - Effect: Allow
            Principal: {Service: lambda.amazonaws.com}
            Action: sts:AssumeRole
"""
    doc, found = subjects("template.yaml", text)
    assert found == [("cloudformation", "resource", "AWS::IAM::Role", "Role"),
                     ("cloudformation", "policy", "AWS::IAM::Role", "Role")]
    props = doc.subjects[0].node.get("Properties")
    assert plain(props.get("RoleName")) == ("?", None)
    assert plain(props.get("ManagedPolicyArns")) == [
        ("?", f"arn:{UNKNOWN_PART}:iam::aws:policy/AdministratorAccess"), ("?", f"arn:{UNKNOWN_PART}")]
    assert doc.subjects[1].attrs == {"attribute": "AssumeRolePolicyDocument"}


def test_sub_variables_are_found_as_the_re2_pattern_they_replace_found_them():
    import itertools

    import re2

    from blastguard.engine.documents.cloudformation import sub_template

    pattern = re2.compile(r"\$\{(?:[^!}][^}]*)?\}")  # ${Name}, not the literal ${!Name}
    assert sub_template("a${X}b${!Y}c${}d${Z") == f"a{UNKNOWN_PART}b${{Y}}c{UNKNOWN_PART}d${{Z"
    assert sub_template("${a${b}}${!") == f"{UNKNOWN_PART}}}${{"
    pieces = ["$", "{", "}", "!", "a", "\n", "é", "${", "${!"]
    for length in range(5):
        for combo in itertools.product(pieces, repeat=length):
            text = "".join(combo)
            expected = pattern.sub(lambda _: UNKNOWN_PART, text).replace("${!", "${")
            assert sub_template(text) == expected, text
    # Many `${` after the last `}` (each searched to the end, this one text would take minutes).
    text = "${a}" + "${" * 100_000 + "}${!b" + "${" * 100_000
    assert sub_template(text) == pattern.sub(lambda _: UNKNOWN_PART, text).replace("${!", "${")


def test_json_documents_are_templates_manifests_policies_or_nothing():
    template = '{"Resources": {"B": {"Type": "AWS::S3::Bucket", "Properties": {"AccessControl": "PublicRead"}}}}'
    assert subjects("t.json", template, "json")[1] == [("cloudformation", "resource", "AWS::S3::Bucket", "B")]
    policy = '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}'
    assert subjects("p.json", policy, "json")[1] == [("iam", "policy", "", "p.json")]
    assert subjects("other.json", '{"Resources": 1, "Statement": []}', "json")[1] == [("iam", "policy", "", "other.json")]
    assert subjects("package.json", '{"name": "x"}', "json")[1] == []
    pod = '{"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": {"containers": [{"name": "a"}]}}'
    assert subjects("pod.json", pod, "json")[1] == [
        ("kubernetes", "object", "Pod", "p"), ("kubernetes", "pod", "Pod", "p"), ("kubernetes", "container", "Pod", "a")]


def test_workflows_compose_files_and_ansible_are_told_apart():
    workflow = "on: push\njobs:\n  build:\n    runs-on: ubuntu-latest\n    steps:\n" \
               "      - uses: actions/checkout@v4\n      - run: make\n"
    assert subjects("ci.yml", workflow)[1] == [
        ("github-actions", "workflow", "workflow", "ci.yml"), ("github-actions", "job", "job", "build"),
        ("github-actions", "step", "actions/checkout", ""), ("github-actions", "step", "run", "")]
    # Inside .github/workflows the path alone is enough (a reusable workflow may lack `on`).
    assert subjects(".github/workflows/x.yml", "jobs:\n  a: {runs-on: x}\n")[1][0][0] == "github-actions"
    compose = "services:\n  web:\n    image: nginx\n    privileged: true\n"
    assert subjects("docker-compose.yml", compose)[1] == [("docker-compose", "service", "service", "web")]
    playbook = "- hosts: all\n  tasks:\n    - name: clean\n      ansible.builtin.shell: rm -rf {{ dir }}\n" \
               "    - block:\n        - file: path=/tmp/x state=absent\n"
    doc, found = subjects("site.yml", playbook)
    assert found == [("ansible", "task", "shell", "clean"), ("ansible", "task", "file", ""), ("ansible", "play", "play", "")]
    cmd = doc.subjects[0].node.get("cmd")
    assert cmd.kind == UNKNOWN and cmd.value == f"rm -rf {UNKNOWN_PART}"
    assert plain(doc.subjects[1].node) == {"path": "/tmp/x", "state": "absent"}
    tasks = "- name: remove\n  file:\n    path: /srv\n    state: absent\n"
    assert subjects("roles/web/tasks/main.yml", tasks)[1] == [("ansible", "task", "file", "remove")]
    assert subjects("vars/main.yml", tasks)[1] == []


def test_a_run_step_gets_the_outer_env_entries_its_script_reads():
    workflow = ("on: push\nenv: {A: wf, B: wf}\njobs:\n  build:\n    runs-on: x\n    env: {B: job, C: job}\n"
                "    steps:\n      - run: echo $A ${B} $env:c $D\n      - env: {A: own}\n        run: echo $A $C\n"
                "      - run: echo none\n")
    doc, _ = subjects("ci.yml", workflow)
    steps = [s.node for s in doc.subjects if s.kind == "step"]
    # The job's entry wins over the workflow's; the step's own env hides both; PowerShell's $env: is
    # case-insensitive; a script that reads none gets no key.
    assert [plain(step.get("(inherited_env)")) for step in steps] == [{"A": "wf", "B": "job", "C": "job"},
                                                                         {"C": "job"}, None]


def test_yaml_of_no_known_kind_is_not_checked(engine):
    result = engine.analyze("mkdocs.yml", b"site_name: docs\nnav:\n  - index.md\nprivileged: true\n")
    assert (result.language, result.findings, result.errors) == (None, [], [])
    assert not result.checked


def test_each_node_kind_has_one_id_whatever_the_grammar_aliases():
    # The converter compares kind ids, not type names: a grammar symbol aliased to another's
    # name must still report that name's one public id, or a value would be read as the wrong kind.
    from tests.test_fuzz import SOURCES

    yaml_language = parsing.language("yaml")
    texts = [text.encode() for text, name in SOURCES if name.endswith((".yaml", ".yml"))]
    assert len(texts) > 5
    for data in texts:
        stack = [parsing.parse("yaml", data).root_node]
        while stack:
            node = stack.pop()
            assert node.kind_id == yaml_language.id_for_node_kind(node.type, node.is_named), node.type
            stack.extend(node.children)
