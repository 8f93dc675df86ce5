//! The common JUnit flavor, written with quick-junit: what Jenkins, GitLab and the GitHub
//! report actions read, including the de-facto `file`/`line` attributes and testcase-level
//! properties and output that the Ant schema does not allow.

use std::io;

use quick_junit::{NonSuccessKind, Property, Report, TestCase, TestCaseStatus, TestSuite};

use super::plan::{CasePlan, CaseStatus, Plan};

/// Writes `plan` as `<testsuites>` → `<testsuite>` per file → `<testcase>` per case.
pub(crate) fn write_common(plan: &Plan, out: impl io::Write) -> io::Result<()> {
    let mut report = Report::new(plan.name.as_str());
    if let Some(timestamp) = plan.timestamp {
        report.set_timestamp(timestamp);
    }
    report.set_time(plan.time);
    for suite_plan in &plan.suites {
        let mut suite = TestSuite::new(suite_plan.file.as_str());
        if let Some(timestamp) = plan.timestamp {
            suite.set_timestamp(timestamp);
        }
        suite.set_time(suite_plan.time);
        // mikepenz falls back to the suite's `file` when a testcase has none.
        suite
            .extra
            .insert("hostname".into(), plan.hostname.as_str().into());
        suite
            .extra
            .insert("file".into(), suite_plan.file.as_str().into());
        suite.add_properties(
            plan.properties
                .iter()
                .map(|(name, value)| Property::new(name.as_str(), value.as_str())),
        );
        suite.add_test_cases(suite_plan.cases.iter().map(test_case));
        report.add_test_suite(suite);
    }
    report.serialize(out).map_err(io::Error::other)
}

fn test_case(case: &CasePlan) -> TestCase {
    let status = match &case.status {
        CaseStatus::Pass => TestCaseStatus::success(),
        CaseStatus::Failure { message, ty, text } => {
            non_success(NonSuccessKind::Failure, message, ty, text)
        }
        CaseStatus::Error { message, ty, text } => {
            non_success(NonSuccessKind::Error, message, ty, text)
        }
        CaseStatus::Skipped { message, xfail } => {
            let mut status = TestCaseStatus::skipped();
            status.set_message(message.as_str());
            if *xfail {
                status.set_type("xfail");
            }
            status
        }
    };
    let mut test_case = TestCase::new(case.name.as_str(), status);
    test_case.set_classname(case.classname.as_str());
    test_case.set_time(case.time);
    test_case
        .extra
        .insert("file".into(), case.file.as_str().into());
    test_case
        .extra
        .insert("line".into(), case.line.to_string().into());
    test_case.add_properties(
        case.properties
            .iter()
            .map(|(name, value)| Property::new(name.as_str(), value.as_str())),
    );
    if let Some(output) = &case.output {
        test_case.set_system_out(output.as_str());
    }
    test_case
}

fn non_success(kind: NonSuccessKind, message: &str, ty: &str, text: &str) -> TestCaseStatus {
    let mut status = TestCaseStatus::non_success(kind);
    status
        .set_message(message)
        .set_type(ty)
        .set_description(text);
    status
}
