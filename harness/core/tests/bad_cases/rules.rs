//! Bad case files that parse but break a rule of the case format: step kinds and the keys that
//! exclude each other, step and row names, levels, channels, sessions, statuses, formats and
//! property cases.

use super::Bad;

pub const RULES: &[Bad] = &[
    (
        "an empty one_of",
        r#"
cases:
  - id: a
    title: t
    steps:
      - request: { method: GET, link: app.self }
        expect:
          select:
            - { query: "$.rel", one_of: [] }
"#,
        "empty `one_of`",
        "cases/t.yaml:9:41",
    ),
    (
        "a capture of a control step that is not a query on its answer",
        r#"
cases:
  - id: a
    title: t
    steps:
      - control: { system_subscription: { uris: ["{{ contacts.0 }}"] } }
        capture: { sys: status }
"#,
        "a control step cannot capture `status`",
        "cases/t.yaml:7:25",
    ),
    (
        "a header query without a name",
        r#"
cases:
  - id: a
    title: t
    steps:
      - request: { method: GET, link: app.self }
        capture: { loc: "header " }
"#,
        "bad header name in `header `",
        "cases/t.yaml:7:25",
    ),
    (
        "await of a step that is not in the background",
        r#"
cases:
  - id: a
    title: t
    steps:
      - name: poll
        request: { method: GET, link: app.events }
      - await: poll
"#,
        "`await` names step `poll`, which is not a background step",
        "cases/t.yaml:8:16",
    ),
    (
        "parity on POST",
        r#"
cases:
  - id: a
    title: t
    steps:
      - request: { method: POST, link: people.presenceSubscriptions }
        parity: true
"#,
        "`parity` on a step that is not a GET request",
        "cases/t.yaml:7:9",
    ),
    (
        "a select that checks nothing",
        r#"
cases:
  - id: a
    title: t
    steps:
      - request: { method: GET, link: app.self }
        expect:
          status: 200
          select:
            - { query: "$.links.self" }
"#,
        "`select` of `$.links.self` checks nothing",
        "cases/t.yaml:10:15",
    ),
    (
        "a case stronger than its rows",
        r#"
cases:
  - id: a
    title: t
    spec: [EV.timeout]
    level: must
    steps:
      - request: { method: GET, link: app.self }
"#,
        "the case is at `must` but its strongest row is `should`",
        "cases/t.yaml:6:5",
    ),
    (
        "a case stronger than its rows, by default",
        r#"
cases:
  - id: a
    title: t
    spec: [EV.timeout]
    steps:
      - request: { method: GET, link: app.self }
"#,
        "the case is at `must` but its strongest row is `should`",
        "cases/t.yaml:3:5",
    ),
    (
        "a step with two kinds",
        r#"
cases:
  - id: a
    title: t
    steps:
      - request: { method: GET, link: app.self }
        control: { clock: 5 }
"#,
        "step `step-1` has both `request` and `control`",
        "cases/t.yaml:7:9",
    ),
    (
        "link and href",
        r#"
cases:
  - id: a
    title: t
    steps:
      - request: { method: GET, link: app.self, href: "/x" }
"#,
        "a request has both `link` and `href`",
        "cases/t.yaml:6:49",
    ),
    (
        "body and raw",
        r#"
cases:
  - id: a
    title: t
    steps:
      - request:
          method: POST
          link: app.self
          body: {}
          raw: { text: "x" }
"#,
        "a request has both `body` and `raw`",
        "cases/t.yaml:10:11",
    ),
    (
        "duplicate step name",
        r#"
cases:
  - id: a
    title: t
    steps:
      - name: get
        request: { method: GET, link: app.self }
      - name: get
        request: { method: GET, link: app.self }
"#,
        "duplicate step name `get`",
        "cases/t.yaml:8:15",
    ),
    (
        "duplicate row name",
        r#"
cases:
  - id: a
    title: t
    rows:
      - { name: r1, vars: { d: 1 } }
      - { name: r1, vars: { d: 2 } }
    steps:
      - request: { method: GET, link: app.self, query: { d: "{{ d }}" } }
"#,
        "duplicate row name `r1`",
        "cases/t.yaml:7:17",
    ),
    (
        "events with a manual channel",
        r#"
cases:
  - id: a
    title: t
    channel: manual
    steps:
      - request: { method: GET, link: app.self }
        events: { expect: [{ type: added, rel: contact }] }
"#,
        "`events` in a `channel: manual` case",
        "cases/t.yaml:8:9",
    ),
    (
        "bare session with an application link",
        r#"
cases:
  - id: a
    title: t
    session: bare
    steps:
      - request: { method: GET, link: app.self }
"#,
        "link `app.self` in a `session: bare` case",
        "cases/t.yaml:7:39",
    ),
    (
        "bad status",
        r#"
cases:
  - id: a
    title: t
    steps:
      - request: { method: GET, link: app.self }
        expect: { status: 999 }
"#,
        "status `999` is not an HTTP status (100-599)",
        "cases/t.yaml:7:27",
    ),
    (
        "empty formats",
        r#"
cases:
  - id: a
    title: t
    formats: []
    steps:
      - request: { method: GET, link: app.self }
"#,
        "empty `formats`",
        "cases/t.yaml:5:14",
    ),
    (
        "when names a later step",
        r#"
cases:
  - id: a
    title: t
    steps:
      - request: { method: GET, link: app.self }
        when: { step: later, status: [200] }
      - name: later
        request: { method: GET, link: app.self }
"#,
        "`when` names step `later`, which is not earlier",
        "cases/t.yaml:7:23",
    ),
    (
        "raw without text",
        r#"
cases:
  - id: a
    title: t
    steps:
      - request: { method: POST, link: app.self, raw: { json: "{}" } }
"#,
        "`raw` needs `text`, or both `json` and `xml`",
        "cases/t.yaml:6:55",
    ),
    (
        "a property case with steps",
        r#"
cases:
  - id: a
    title: t
    property: { name: parity-walk }
    steps:
      - request: { method: GET, link: app.self }
"#,
        "a property case has no steps",
        "cases/t.yaml:6:5",
    ),
    (
        "no steps and no property",
        r#"
cases:
  - id: a
    title: t
    steps: []
"#,
        "a case needs at least one step",
        "cases/t.yaml:5:12",
    ),
    (
        "zero generated cases",
        r#"
cases:
  - id: a
    title: t
    property: { name: parity-walk, cases: 0 }
"#,
        "`cases` must be at least 1",
        "cases/t.yaml:5:43",
    ),
];
