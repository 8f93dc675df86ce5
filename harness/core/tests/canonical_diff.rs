//! Comparator rules of digest 5.4, one small JSON/XML pair per rule, asserting the exact
//! difference paths.

// One module so `cargo test -p harness-core canonical` selects these tests too.
mod canonical_diff {
    use harness_core::canonical::{Document, Format, diff, hrefs_equal};

    const NS: &str = r#"xmlns="http://schemas.microsoft.com/rtc/2012/03/ucwa""#;

    fn json(text: &str) -> Document {
        Document::parse(Format::Json, text.as_bytes()).unwrap_or_else(|e| panic!("{text}: {e}"))
    }

    fn xml(text: &str) -> Document {
        let text = text.replace("NS", NS);
        Document::parse(Format::Xml, text.as_bytes()).unwrap_or_else(|e| panic!("{text}: {e}"))
    }

    fn paths(a: &Document, b: &Document) -> Vec<String> {
        diff(a, b).into_iter().map(|d| d.path).collect()
    }

    #[test]
    fn hrefs_compare_as_urls_resolved_and_decoded() {
        let table = [
            ("/a/b?x=1", "/a/b?x=1", true),
            ("https://h/a/b?x=1", "/a/b?x=1", true),
            ("/a/b", "https://h/a/b#frag", true),
            ("https://h/a/b", "https://other/a/b", false),
            ("https://h/a/b?x=2", "/a/b?x=1", false),
            ("/a/b", "/a/B", false),
            ("data:text/plain,hi", "data:text/plain,hi", true),
            (
                "/a/m?presenceSubscriptionId=5",
                "/a/m?presenceSubscriptionId%3d5",
                true,
            ),
            (
                "/a/people/bob@contoso.com",
                "/a/people/bob%40contoso.com",
                true,
            ),
            ("http://h:80/a/b", "http://h/a/b", true),
            ("/a/5%2Cbob", "/a/5,bob", true),
            ("plain text", "plain%20text", false),
        ];
        for (a, b, expected) in table {
            assert_eq!(hrefs_equal(a, b), expected, "{a} vs {b}");
        }
    }

    #[test]
    fn rel_self_links_and_properties_are_each_reported() {
        let left = json(
            r#"{"rel":"contact","name":"A","flag":true,"when":"/Date(1358827096000)/",
                "_links":{"self":{"href":"/p/1"},"note":{"href":"/p/1/note","title":"T"},
                          "extra":[{"href":"/x/1"},{"href":"/x/2"}]}}"#,
        );
        let same = xml(r#"<resource rel="contact" href="https://host/p/1" NS>
                 <link rel="extra" href="/x/2"/><link rel="extra" href="/x/1"/>
                 <link rel="note" href="/p/1/note" title="T"/>
                 <property name="when">2013-01-22T04:58:16.0019+01:00</property>
                 <property name="flag">True</property><property name="name">A</property>
               </resource>"#);
        assert_eq!(paths(&left, &same), Vec::<String>::new());
        let other = xml(r#"<resource rel="person" href="/p/2" NS>
                 <link rel="extra" href="/x/1"/><link rel="note" href="/p/1/note"/>
                 <property name="flag">false</property><property name="name">A</property>
                 <property name="age">3</property>
               </resource>"#);
        assert_eq!(
            paths(&left, &other),
            [
                "rel",
                "self",
                "links.extra",
                "links.note",
                "properties.age",
                "properties.flag",
                "properties.when"
            ]
        );
    }

    #[test]
    fn lists_compare_in_order() {
        let left = json(r#"{"rel":"r","l":["a","b"],"m":["x"]}"#);
        let right = xml(
            r#"<resource rel="r" NS><propertyList name="l"><item>b</item><item>a</item></propertyList>
               <propertyList name="m"><item>x</item><item>y</item></propertyList></resource>"#,
        );
        assert_eq!(
            paths(&left, &right),
            ["lists.l[0]", "lists.l[1]", "lists.m"]
        );
    }

    #[test]
    fn put_tokens_compare_by_value_not_name() {
        let left = json(
            r#"{"rel":"r","56de7bbf-1081-43e6-bbf2-1cabf3224c83":"please pass this in a PUT request"}"#,
        );
        let renamed = xml(
            r#"<resource rel="r" NS><property name="0a0b0c0d-1111-2222-3333-444455556666">please pass this in a PUT request</property></resource>"#,
        );
        assert_eq!(paths(&left, &renamed), Vec::<String>::new());
        let missing = xml(r#"<resource rel="r" NS/>"#);
        assert_eq!(paths(&left, &missing), ["properties.<put-token>"]);
        assert_eq!(left.to_json_value(), renamed.to_json_value());
    }

    #[test]
    fn embedded_arrays_match_by_self_href_else_in_order() {
        let left = json(
            r#"{"rel":"subs","_embedded":{"sub":[
                 {"rel":"sub","id":"1","_links":{"self":{"href":"/s/1"}}},
                 {"rel":"sub","id":"2","_links":{"self":{"href":"/s/2"}}}]}}"#,
        );
        let swapped = xml(r#"<resource rel="subs" NS>
                 <resource rel="sub" href="/s/2"><property name="id">2</property></resource>
                 <resource rel="sub" href="/s/1"><property name="id">9</property></resource>
               </resource>"#);
        assert_eq!(paths(&left, &swapped), ["_embedded.sub[0].properties.id"]);
        let anonymous_left =
            json(r#"{"rel":"a","_embedded":{"b":[{"rel":"b","n":1},{"rel":"b","n":2}]}}"#);
        let anonymous_right = xml(
            r#"<resource rel="a" NS><resource rel="b"><property name="n">2</property></resource>
               <resource rel="b"><property name="n">1</property></resource></resource>"#,
        );
        assert_eq!(
            paths(&anonymous_left, &anonymous_right),
            ["_embedded.b[0].properties.n", "_embedded.b[1].properties.n"]
        );
        let missing = xml(r#"<resource rel="subs" NS/>"#);
        assert_eq!(paths(&left, &missing), ["_embedded.sub"]);
    }

    /// Found by the parity-walk property on myGroups (T-SG): XML has no empty list.
    #[test]
    fn an_empty_embedded_array_equals_an_absent_one() {
        let empty = json(r#"{"rel":"groups","_embedded":{"distributionGroup":[]}}"#);
        let absent = xml(r#"<resource rel="groups" NS/>"#);
        assert!(paths(&empty, &absent).is_empty());
    }

    #[test]
    fn events_compare_senders_and_events_in_order() {
        let left = json(
            r#"{"_links":{"self":{"href":"/e?ack=1"},"next":{"href":"/e?ack=2"}},
                "sender":[{"rel":"people","href":"/people","events":[
                  {"link":{"rel":"contact","href":"/c/1","title":"Alex"},"in":{"rel":"subscribedContacts","href":"/sc"},"type":"added"},
                  {"link":{"rel":"presenceSubscription","href":"/ps/1"},"type":"updated","status":"Success",
                   "_embedded":{"presenceSubscription":{"rel":"presenceSubscription","id":"1","_links":{"self":{"href":"/ps/1"}}}}},
                  {"link":{"rel":"presenceSubscription","href":"/ps/2"},"type":"deleted",
                   "reason":{"code":"Gone","subcode":"Expired"}}]}]}"#,
        );
        let same = xml(
            r#"<events href="/e?ack=1" NS><link rel="next" href="/e?ack=2"/>
                 <sender rel="people" href="/people">
                   <added rel="contact" href="/c/1" title="Alex"><in rel="subscribedContacts" href="/sc"/></added>
                   <updated rel="presenceSubscription" href="/ps/1"><status>Success</status>
                     <resource rel="presenceSubscription" href="/ps/1"><property name="id">1</property></resource></updated>
                   <deleted rel="presenceSubscription" href="/ps/2">
                     <reason><code>Gone</code><subcode>Expired</subcode></reason></deleted>
                 </sender></events>"#,
        );
        assert_eq!(paths(&left, &same), Vec::<String>::new());
        assert_eq!(left.to_json_value(), same.to_json_value());
        let other = xml(
            r#"<events href="/e?ack=1" NS><link rel="resync" href="/e?ack=1"/>
                 <sender rel="people" href="/people">
                   <deleted rel="contact" href="/c/2"/>
                   <updated rel="presenceSubscription" href="/ps/1">
                     <resource rel="presenceSubscription" href="/ps/1"><property name="id">2</property></resource></updated>
                   <deleted rel="presenceSubscription" href="/ps/2"><reason><code>Gone</code></reason></deleted>
                 </sender></events>"#,
        );
        assert_eq!(
            paths(&left, &other),
            [
                "links.next",
                "links.resync",
                "sender[0].events[0].type",
                "sender[0].events[0].link.href",
                "sender[0].events[0].in",
                "sender[0].events[1]._embedded.properties.id",
                "sender[0].events[1].status",
                "sender[0].events[2].reason.subcode",
            ]
        );
    }

    #[test]
    fn errors_compare_fields_and_parameter_presence() {
        let left = json(
            r#"{"code":"BadRequest","subcode":"ParameterValidationFailure","parameters":{"duration":"bad"}}"#,
        );
        let right =
            xml(r#"<reason NS><code>BadRequest</code><message>m</message><parameters/></reason>"#);
        assert_eq!(paths(&left, &right), ["subcode", "message", "parameters"]);
    }

    #[test]
    fn different_document_kinds_are_one_difference() {
        let differences = diff(
            &json(r#"{"code":"NotFound"}"#),
            &xml(r#"<resource rel="r" NS/>"#),
        );
        assert_eq!(differences.len(), 1);
        assert_eq!(
            (differences[0].left.as_str(), differences[0].right.as_str()),
            ("error", "resource")
        );
    }

    /// OP-21 names no XML form for `in`: the child `<in rel href/>`, a child link and an
    /// attribute all read as the event's `in` (a form without the collection's rel gives "").
    #[test]
    fn every_xml_form_of_in_reads_as_in() {
        let forms = [
            (
                r#"<in rel="subscribedContacts" href="/sc"/>"#,
                "",
                "subscribedContacts",
            ),
            (
                r#"<link rel="subscribedContacts" href="/sc"/>"#,
                "",
                "subscribedContacts",
            ),
            (r#"<link rel="in" href="/sc"/>"#, "", ""),
            (
                "",
                r#" in="/sc" inRel="subscribedContacts""#,
                "subscribedContacts",
            ),
            ("", r#" in="/sc""#, ""),
        ];
        for (child, attrs, rel) in forms {
            let doc = xml(&format!(
                r#"<events href="/e?ack=1" NS><link rel="next" href="/e?ack=2"/><sender rel="people" href="/people"><added rel="contact" href="/c/1"{attrs}>{child}</added></sender></events>"#
            ));
            let Document::Events(events) = doc else {
                panic!("events expected")
            };
            let found = events.senders[0].events[0]
                .in_collection
                .clone()
                .expect("an in link");
            assert_eq!(
                (found.rel.as_str(), found.href.as_str()),
                (rel, "/sc"),
                "{child}{attrs}"
            );
        }
    }
}
