"""Reads a JUnit XML file with junitparser (an independent reader) and prints what it saw as
JSON: per suite its name and counts, per testcase (classname, name, result) plus the attributes
CI readers use. Used by tests/junit_readers.rs; needs `pip install junitparser`."""

import json
import sys

from junitparser import Error, Failure, JUnitXml, Skipped


def result_of(case):
    for result in case.result:
        if isinstance(result, Failure):
            return "failure", result.message, result.type
        if isinstance(result, Error):
            return "error", result.message, result.type
        if isinstance(result, Skipped):
            return "skipped", result.message, None
    return "passed", None, None


def main(path):
    xml = JUnitXml.fromfile(path)
    suites = []
    for suite in xml:
        cases = []
        for case in suite:
            result, message, kind = result_of(case)
            cases.append({
                "classname": case.classname,
                "name": case.name,
                "result": result,
                "message": message,
                "type": kind,
                "time": case.time,
                "file": case._elem.get("file"),
                "line": case._elem.get("line"),
            })
        suites.append({
            "name": suite.name,
            "tests": suite.tests,
            "failures": suite.failures,
            "errors": suite.errors,
            "skipped": suite.skipped,
            "properties": {p.name: p.value for p in suite.properties()},
            "cases": cases,
        })
    json.dump({"suites": suites}, sys.stdout, indent=1)


if __name__ == "__main__":
    main(sys.argv[1])
