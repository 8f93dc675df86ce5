//! The profiles by name: every profile in catalogue order, and each one's name, kind and rule.

use super::Fault;
use super::catalogue::CATALOGUE;

impl Fault {
    /// `None` first, then every profile in catalogue order.
    pub fn all() -> Vec<Fault> {
        CATALOGUE.iter().map(|(f, ..)| *f).collect()
    }

    fn entry(self) -> &'static (Fault, &'static str, &'static str, &'static str) {
        CATALOGUE
            .iter()
            .find(|(f, ..)| *f == self)
            .unwrap_or(&CATALOGUE[0])
    }

    /// The kebab-case name (`--fault NAME`); `none` for the faithful server.
    pub fn name(self) -> &'static str {
        self.entry().1
    }

    /// status | error-body | representation | events | channel | rules | security | none.
    pub fn kind(self) -> &'static str {
        self.entry().2
    }

    /// The rule the profile breaks, with the digest section.
    pub fn rule(self) -> &'static str {
        self.entry().3
    }

    /// The profile with this name.
    pub fn from_name(name: &str) -> Option<Fault> {
        CATALOGUE
            .iter()
            .find(|(_, n, ..)| *n == name)
            .map(|(f, ..)| *f)
    }
}
