//! The digest's JSON/XML sample pairs through the canonical tree: the pairs section 5.4
//! calls equivalent compare equal (and snapshot identically), the others differ at exactly
//! the paths the digest names.

// One module so `cargo test -p harness-core canonical` selects these tests too.
mod canonical_samples {
    use std::path::{Path, PathBuf};

    use harness_core::canonical::{Document, Format, diff};

    /// Pairs the digest calls equivalent (all response bodies). events.channel.sample and error
    /// are not in the digest's list; checked here: they are equivalent too.
    const EQUIVALENT: [&str; 9] = [
        "application.get",
        "contact.get",
        "people.get",
        "presenceSubscription.get",
        "presenceSubscriptions.get",
        "presenceSubscriptionMembership.get",
        "presenceSubscriptionMemberships.get",
        "events.channel.sample",
        "error",
    ];

    /// Pairs the digest calls different, whether they are request bodies, and every path that
    /// must be reported (nothing else may be).
    const DIFFERENT: [(&str, bool, &[&str]); 5] = [
        (
            "contactPresence.get",
            false,
            &["properties.availability", "properties.deviceType"],
        ),
        ("subscribedContacts.get", false, &["links.contact"]),
        (
            "presenceSubscriptions.post.request",
            true,
            &["lists.uris[0]", "lists.uris[1]"],
        ),
        (
            "contactUris.post.request",
            true,
            &["lists.contactUris[0]", "lists.contactUris[1]"],
        ),
        ("applications.post.request", true, &["properties.userAgent"]),
    ];

    fn fixtures_dir() -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/equivalence")
    }

    /// The digest's JSON-only event samples, copied into the project (`fixtures/samples/`).
    fn samples_dir() -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/samples")
    }

    fn read(dir: &Path, name: &str) -> Vec<u8> {
        let path = dir.join(name);
        std::fs::read(&path).unwrap_or_else(|e| panic!("failed to read {}: {e}", path.display()))
    }

    fn load(dir: &Path, stem: &str, request: bool) -> (Document, Document) {
        let parse = |format, ext| {
            let bytes = read(dir, &format!("{stem}.{ext}"));
            let parsed = if request {
                Document::parse_input(format, &bytes)
            } else {
                Document::parse(format, &bytes)
            };
            parsed.unwrap_or_else(|e| panic!("{stem}.{ext}: {e}"))
        };
        (parse(Format::Json, "json"), parse(Format::Xml, "xml"))
    }

    fn check_equivalent(dir: &Path) {
        for stem in EQUIVALENT {
            let (json, xml) = load(dir, stem, false);
            let differences = diff(&json, &xml);
            assert!(differences.is_empty(), "{stem}: {differences:#?}");
            // The snapshot form must not depend on the format either.
            assert_eq!(
                json.to_json_value(),
                xml.to_json_value(),
                "{stem}: snapshot forms differ"
            );
        }
    }

    fn check_different(dir: &Path) {
        for (stem, request, paths) in DIFFERENT {
            let (json, xml) = load(dir, stem, request);
            let found: Vec<String> = diff(&json, &xml).into_iter().map(|d| d.path).collect();
            assert_eq!(found, paths, "{stem}");
        }
    }

    #[test]
    fn equivalent_fixture_pairs_compare_equal() {
        check_equivalent(&fixtures_dir());
    }

    #[test]
    fn different_fixture_pairs_report_each_path() {
        check_different(&fixtures_dir());
    }

    #[test]
    fn json_only_event_samples_parse_as_events() {
        let dir = samples_dir();
        let names = [
            "events.presenceSubscription.added.json",
            "events.presenceSubscription.updated.json",
            "events.presenceSubscription.deleted.json",
            "events.subscribedContacts.contact.added.json",
            "events.subscribedContacts.contact.deleted.json",
            "events.contactPresence.updated.json",
            "task.delete.events.deleted.json",
            "real.orange-lync2013.events.im-message.json",
        ];
        for name in names {
            let document = Document::parse(Format::Json, &read(&dir, name))
                .unwrap_or_else(|e| panic!("{name}: {e}"));
            assert!(
                matches!(document, Document::Events(_)),
                "{name}: {}",
                document.kind_name()
            );
        }
    }

    #[test]
    fn contact_presence_dates_agree_within_tolerance() {
        // lastActive differs by 1.6 ms (XML keeps ticks, JSON whole ms): not a difference.
        let (json, xml) = load(&fixtures_dir(), "contactPresence.get", false);
        assert!(
            diff(&json, &xml)
                .iter()
                .all(|d| d.path != "properties.lastActive")
        );
    }

    #[test]
    fn subscribed_contacts_difference_names_both_hrefs() {
        let (json, xml) = load(&fixtures_dir(), "subscribedContacts.get", false);
        let differences = diff(&json, &xml);
        assert_eq!(differences.len(), 1);
        assert_eq!(differences[0].left, "/ucwa/v1/applications/192/people/647");
        assert_eq!(differences[0].right, "/ucwa/v1/applications/192/people/586");
    }
}
