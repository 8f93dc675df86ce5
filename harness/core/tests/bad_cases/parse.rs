//! Bad case files where something does not parse or resolve: the YAML's shape, templates and
//! variables, link, condition, checklist-row and property names, selectors and durations.

use super::Bad;

pub const PARSE: &[Bad] = &[
    (
        "unknown key",
        r#"
cases:
  - id: a
    title: t
    stepz: []
"#,
        "unknown field `stepz`, expected one of id, title",
        "cases/t.yaml:5:5",
    ),
    (
        "wrong type",
        r#"
cases:
  - id: a
    title: t
    steps:
      - request: { method: GET, link: app.self }
        parity: sometimes
"#,
        "invalid boolean",
        "cases/t.yaml:7:17",
    ),
    (
        "duplicate key",
        r#"
cases:
  - id: a
    title: t
    title: u
    steps: []
"#,
        "duplicate key `title`",
        "cases/t.yaml:5:5",
    ),
    (
        "undefined variable in href",
        r#"
cases:
  - id: a
    title: t
    steps:
      - request: { method: POST, link: people.presenceSubscriptions }
        capture: { sub: "$.self" }
      - request: { method: DELETE, href: "{{ subb }}" }
"#,
        "undefined variable `subb`",
        "cases/t.yaml:8:43",
    ),
    (
        "undefined variable in a selector",
        r#"
cases:
  - id: a
    title: t
    steps:
      - request: { method: GET, link: people.myGroups }
        expect:
          select:
            - { query: "$.embedded.*[?@.properties.name == '{{ grup.name }}']", count: 1 }
"#,
        "undefined variable `grup.name`",
        "cases/t.yaml:9:61",
    ),
    (
        "undefined variable in a nested body value",
        r#"
cases:
  - id: a
    title: t
    steps:
      - request:
          method: POST
          link: people.presenceSubscriptions
          body:
            duration: 11
            uris:
              - "{{ contacts.0 }}"
              - "x {{ contact.1 }}"
"#,
        "undefined variable `contact.1`",
        "cases/t.yaml:13:20",
    ),
    (
        "capture used before the step that captures it",
        r#"
cases:
  - id: a
    title: t
    steps:
      - request: { method: GET, href: "{{ sub }}" }
      - request: { method: POST, link: people.presenceSubscriptions }
        capture: { sub: "$.self" }
"#,
        "undefined variable `sub`",
        "cases/t.yaml:6:40",
    ),
    (
        "unknown link name",
        r#"
cases:
  - id: a
    title: t
    steps:
      - request: { method: GET, link: people.presenceSubscription }
"#,
        "unknown link name `people.presenceSubscription`",
        "cases/t.yaml:6:39",
    ),
    (
        "bad select path",
        r#"
cases:
  - id: a
    title: t
    steps:
      - request: { method: GET, link: app.self }
        expect:
          select:
            - query: "$.links[x"
"#,
        "bad JSONPath `$.links[x`",
        "cases/t.yaml:9:30",
    ),
    (
        "capture in the earlier selector language",
        r#"
cases:
  - id: a
    title: t
    steps:
      - request: { method: GET, link: app.self }
        capture: { me2: "links.contact[one]" }
"#,
        "bad query `links.contact[one]`",
        "cases/t.yaml:7:25",
    ),
    (
        "bad condition",
        r#"
cases:
  - id: a
    title: t
    steps:
      - control:
          condition: { name: already-exist, operation: get-subscription }
"#,
        "unknown condition `already-exist`",
        "cases/t.yaml:7:30",
    ),
    (
        "bad duration",
        r#"
cases:
  - id: a
    title: t
    steps:
      - request: { method: GET, link: app.self }
        events:
          within: 5 seconds
"#,
        "bad duration `5 seconds`",
        "cases/t.yaml:8:19",
    ),
    (
        "unknown checklist row",
        r#"
cases:
  - id: a
    title: t
    spec: [PS.GET.200, PS.GET.201]
    steps:
      - request: { method: GET, link: app.self }
"#,
        "unknown checklist row `PS.GET.201`",
        "cases/t.yaml:5:24",
    ),
    (
        "row variable missing from a row",
        r#"
cases:
  - id: a
    title: t
    rows:
      - { name: r1, vars: { d: 1 } }
      - { name: r2, vars: { e: 2 } }
    steps:
      - request: { method: GET, link: app.self, query: { d: "{{ d }}" } }
"#,
        "undefined variable `d`",
        "cases/t.yaml:9:62",
    ),
    (
        "unclosed template",
        r#"
cases:
  - id: a
    title: t
    steps:
      - request: { method: GET, href: "/x/{{ y" }
"#,
        "unclosed `{{`",
        "cases/t.yaml:6:43",
    ),
    (
        "bad condition given by a table row",
        r#"
cases:
  - id: a
    title: t
    rows:
      - { name: ok, vars: { c: already-exists } }
      - { name: bad, vars: { c: already-exist } }
    steps:
      - control: { condition: { name: "{{ c }}", operation: get-subscription } }
"#,
        "unknown condition `already-exist`",
        "cases/t.yaml:7:33",
    ),
    (
        "undefined variable in an error expectation",
        r#"
cases:
  - id: a
    title: t
    steps:
      - request: { method: GET, link: app.self }
        expect: { error: { code: "{{ code }}" } }
"#,
        "undefined variable `code`",
        "cases/t.yaml:7:35",
    ),
    (
        "unknown property",
        r#"
cases:
  - id: a
    title: t
    property: { name: extend-rules }
"#,
        "unknown property `extend-rules`",
        "cases/t.yaml:5:23",
    ),
];
