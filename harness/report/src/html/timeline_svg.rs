//! A case's timeline as a picture for `report.html`: an inline SVG (no script) with one lane
//! for the steps' requests, coloured by verdict and labelled with their status, one for the
//! events the channel delivered, against the case's time, and a marker where an event
//! expectation's deadline ran out. The geometry is worked out here; the template
//! (`templates/report/timeline.html`) escapes every text.

use std::fmt::Write as _;

use harness_core::outcome::{CaseOutcome, CheckStatus, StepOutcome, TimelineEntry, Verdict, worst};

use crate::detail::safe;

/// The picture's width in pixels (it scales down with the page).
const WIDTH: f64 = 960.0;
/// Where the lanes start: left of it are their names.
const LEFT: f64 = 80.0;
const RIGHT: f64 = 30.0;
/// Where the deadline markers' labels go, under the lanes (which the template lays out
/// between y 22 and 86).
const MARKS_Y: f64 = 100.0;
const MARK_STEP: f64 = 14.0;
/// The middle of the events lane (y 58 to 86 in the template).
const EVENTS_MID: f64 = 72.0;
/// About the width of one character of the labels (11 px sans-serif).
const CHAR_W: f64 = 6.5;
/// The most of a marker's label drawn; its tooltip has all of it.
const MAX_MARK_CHARS: usize = 110;

/// The picture of one case.
#[derive(Debug)]
pub(crate) struct TimelineSvg {
    pub width: String,
    pub height: String,
    /// Left end of the lanes.
    pub left: String,
    /// Right end of the lanes.
    pub lane_end: String,
    pub ticks: Vec<Tick>,
    pub bars: Vec<Bar>,
    pub events: Vec<EventMark>,
    /// Whether the case recorded no event at all (none came, or they were not kept).
    pub no_events: bool,
    pub deadlines: Vec<Deadline>,
}

/// A time mark on the axis.
#[derive(Debug)]
pub(crate) struct Tick {
    pub x: String,
    pub label: String,
}

/// One step in the requests lane.
#[derive(Debug)]
pub(crate) struct Bar {
    pub x: String,
    pub w: String,
    /// The verdict's name: the bar's class.
    pub verdict: &'static str,
    /// The part the request itself took (the rest is waiting for events), when it was sent.
    pub request_w: Option<String>,
    /// Drawn inside the bar when it fits: the step's name and status, or the status alone.
    pub label: Option<String>,
    pub label_x: String,
    /// The tooltip: everything about the step.
    pub title: String,
}

/// One delivered event in the events lane.
#[derive(Debug)]
pub(crate) struct EventMark {
    pub x: String,
    pub cy: String,
    /// `matched` when a step's expectation took it, else `unmatched`.
    pub class: &'static str,
    /// Its type, or the number of events in its cluster when it is the cluster's first; drawn
    /// when there is room before the next cluster.
    pub label: Option<String>,
    pub label_x: String,
    pub title: String,
}

/// Where a failed event expectation gave up waiting.
#[derive(Debug)]
pub(crate) struct Deadline {
    pub x: String,
    /// The label's line under the lanes, and where the marker's line stops above it.
    pub label_y: String,
    pub line_end: String,
    /// `start` or `end`: the label runs right of the marker, or left near the right edge.
    pub anchor: &'static str,
    pub label: String,
    pub title: String,
}

/// The picture of `case`, or `None` when it ran no step.
pub(crate) fn timeline_svg(case: &CaseOutcome) -> Option<TimelineSvg> {
    // The spans are walked again for each use rather than kept: a long case's steps are
    // never gathered.
    let ran = step_spans(&case.steps).count();
    if ran == 0 {
        return None;
    }
    let end_ms = step_spans(&case.steps)
        .map(|s| s.end)
        .chain(case.timeline.iter().map(|e| e.at_ms))
        .fold(case.duration_secs * 1000.0, f64::max)
        .max(1.0);
    let scale = Scale { end_ms };
    let deadlines: Vec<Deadline> = step_spans(&case.steps)
        .filter_map(|span| missed_expectation(span.step).map(|message| (span, message)))
        .enumerate()
        .map(|(index, (span, message))| deadline(&scale, index, &span, &message))
        .collect();
    let height = MARKS_Y + MARK_STEP * deadlines.len() as f64;
    Some(TimelineSvg {
        width: px(WIDTH),
        height: px(height),
        left: px(LEFT),
        lane_end: px(WIDTH - RIGHT),
        ticks: ticks(&scale),
        bars: bars(&scale, step_spans(&case.steps), ran),
        events: event_marks(&scale, &case.timeline),
        no_events: case.timeline.is_empty(),
        deadlines,
    })
}

/// Milliseconds of the case to x in the picture.
struct Scale {
    end_ms: f64,
}

impl Scale {
    fn x(&self, ms: f64) -> f64 {
        LEFT + ms.clamp(0.0, self.end_ms) / self.end_ms * (WIDTH - LEFT - RIGHT)
    }

    fn w(&self, ms: f64) -> f64 {
        ms.max(0.0) / self.end_ms * (WIDTH - LEFT - RIGHT)
    }
}

/// One step that ran, with where it stands in the case's time.
#[derive(Clone, Copy)]
struct Span<'a> {
    step: &'a StepOutcome,
    start: f64,
    end: f64,
}

/// The steps that ran, in order. A step starts no earlier than the previous one ended: steps
/// run one after the other, and a report from before starts were recorded (all at 0) still
/// draws them side by side.
fn step_spans(steps: &[StepOutcome]) -> impl Iterator<Item = Span<'_>> {
    steps
        .iter()
        .filter(|step| !(step.verdict == Verdict::Skip && step.duration_secs == 0.0))
        .scan(0.0_f64, |previous_end, step| {
            let start = step.at_ms.max(*previous_end);
            let end = start + step.duration_secs * 1000.0;
            *previous_end = end;
            Some(Span { step, start, end })
        })
}

/// The message of the step's event expectation that did not hold, if one did not.
fn missed_expectation(step: &StepOutcome) -> Option<String> {
    step.checks
        .iter()
        .find(|c| c.kind == "events" && c.status != CheckStatus::Pass)
        .map(|c| c.message.clone())
}

fn px(value: f64) -> String {
    format!("{value:.1}")
}

/// Tick marks 1, 2 or 5 times a power of ten apart, at most about eight of them.
fn ticks(scale: &Scale) -> Vec<Tick> {
    let rough = scale.end_ms / 8.0;
    let power = 10f64.powf(rough.log10().floor());
    let step = [1.0, 2.0, 5.0, 10.0]
        .into_iter()
        .map(|m| m * power)
        .find(|s| *s >= rough)
        .unwrap_or(power * 10.0)
        .max(1.0);
    let seconds = scale.end_ms >= 2000.0;
    (0..)
        .map(|i| f64::from(i) * step)
        .take_while(|ms| *ms <= scale.end_ms)
        .map(|ms| Tick {
            x: px(scale.x(ms)),
            label: if seconds {
                format!("{} s", ms / 1000.0)
            } else {
                format!("{ms} ms")
            },
        })
        .collect()
}

/// The most bars the requests lane draws. Past it neighbouring steps share a bar: the lane is
/// under 900 pixels wide, and a case of thousands of steps would otherwise draw thousands of
/// bars no one can tell apart, in a picture heavier than the case's table.
const MAX_BARS: usize = 200;

/// The bars of the `ran` steps `spans` yields: one a step up to [`MAX_BARS`], else one for
/// each run of neighbours, made as the spans go by.
fn bars<'a>(scale: &Scale, spans: impl Iterator<Item = Span<'a>>, ran: usize) -> Vec<Bar> {
    if ran <= MAX_BARS {
        return spans.map(|span| bar(scale, &span)).collect();
    }
    let per_bar = ran.div_ceil(MAX_BARS);
    let mut bars = Vec::with_capacity(MAX_BARS);
    let mut group: Option<Group<'a>> = None;
    for span in spans {
        let grown = match group.take() {
            Some(mut group) => {
                group.push(span);
                group
            }
            None => Group::new(span),
        };
        if grown.steps == per_bar {
            bars.push(group_bar(scale, &grown));
        } else {
            group = Some(grown);
        }
    }
    if let Some(group) = group {
        bars.push(group_bar(scale, &group));
    }
    bars
}

/// Consecutive steps drawn as one bar: what the bar needs of them, gathered one at a time.
struct Group<'a> {
    first: Span<'a>,
    last: Span<'a>,
    steps: usize,
    /// The worst of their verdicts.
    verdict: Verdict,
    /// The first step that did not pass.
    odd: Option<&'a StepOutcome>,
}

impl<'a> Group<'a> {
    fn new(span: Span<'a>) -> Group<'a> {
        Group {
            first: span,
            last: span,
            steps: 1,
            verdict: worst(Verdict::Pass, span.step.verdict),
            odd: (span.step.verdict != Verdict::Pass).then_some(span.step),
        }
    }

    fn push(&mut self, span: Span<'a>) {
        self.last = span;
        self.steps += 1;
        self.verdict = worst(self.verdict, span.step.verdict);
        if self.odd.is_none() && span.step.verdict != Verdict::Pass {
            self.odd = Some(span.step);
        }
    }
}

/// One bar for consecutive steps: as wide as they took together, coloured by the worst of
/// their verdicts (a failing step keeps its group red), its tooltip naming the range and the
/// first step that did not pass.
fn group_bar(scale: &Scale, group: &Group<'_>) -> Bar {
    let (first, last) = (&group.first, &group.last);
    let x = scale.x(first.start);
    let w = scale.w(last.end - first.start).max(3.0);
    let count = format!("{} steps", group.steps);
    let label = (count.chars().count() as f64 * CHAR_W + 6.0 <= w).then_some(count);
    let mut title = format!(
        "steps {} to {} ({} steps, {:.1} ms from {:.1} ms)",
        first.step.name,
        last.step.name,
        group.steps,
        last.end - first.start,
        first.start
    );
    if let Some(odd) = group.odd {
        let _ = write!(
            title,
            "; step {} (line {}): {}",
            odd.name,
            odd.line,
            odd.verdict.name()
        );
    }
    Bar {
        x: px(x),
        w: px(w),
        verdict: group.verdict.name(),
        request_w: None,
        label,
        label_x: px(x + 3.0),
        title: safe(&title),
    }
}

fn bar(scale: &Scale, span: &Span<'_>) -> Bar {
    let step = span.step;
    let x = scale.x(span.start);
    // Visible however short: a 1 ms request in a 5 s case is still a step.
    let w = scale.w(span.end - span.start).max(3.0);
    let status = match (&step.response, step.verdict) {
        (Some(response), _) => response.status.to_string(),
        (None, Verdict::Error) => "no response".to_owned(),
        (None, _) => String::new(),
    };
    let name = safe(&step.name);
    let full = if status.is_empty() {
        name.clone()
    } else {
        format!("{name} {status}")
    };
    let fits = |text: &str| !text.is_empty() && text.chars().count() as f64 * CHAR_W + 6.0 <= w;
    let label = [full.as_str(), status.as_str()]
        .into_iter()
        .find(|text| fits(text))
        .map(str::to_owned);
    let request = step
        .request
        .as_ref()
        .map(|r| format!(": {} {}", r.method, r.url))
        .unwrap_or_default();
    let arrow = if status.is_empty() {
        String::new()
    } else {
        format!(" → {status}")
    };
    Bar {
        x: px(x),
        w: px(w),
        verdict: step.verdict.name(),
        request_w: step
            .request
            .as_ref()
            .and(step.response.as_ref())
            .map(|r| px(scale.w(r.duration_secs * 1000.0).clamp(1.0, w))),
        label,
        label_x: px(x + 3.0),
        title: safe(&format!(
            "step {} (line {}){request}{arrow}: {}, {:.1} ms from {:.1} ms",
            step.name,
            step.line,
            step.verdict.name(),
            span.end - span.start,
            span.start
        )),
    }
}

/// Events this close (in pixels) to the first of a cluster are drawn as one cluster: stacked
/// in the lane, labelled with their number.
const CLUSTER_PX: f64 = 8.0;

fn event_marks(scale: &Scale, timeline: &[TimelineEntry]) -> Vec<EventMark> {
    let xs: Vec<f64> = timeline.iter().map(|e| scale.x(e.at_ms)).collect();
    // Where each cluster starts: the events are in arrival order, so their xs never decrease.
    let mut starts = Vec::new();
    for (i, x) in xs.iter().enumerate() {
        if starts
            .last()
            .is_none_or(|first: &usize| x - xs[*first] >= CLUSTER_PX)
        {
            starts.push(i);
        }
    }
    let mut marks = Vec::with_capacity(timeline.len());
    for (c, first) in starts.iter().enumerate() {
        let end = starts.get(c + 1).copied().unwrap_or(timeline.len());
        let room = starts.get(c + 1).map_or(WIDTH - RIGHT, |next| xs[*next]) - xs[*first];
        let label = match end - first {
            1 => safe(&timeline[*first].kind),
            n => format!("{n} events"),
        };
        let fits = label.chars().count() as f64 * CHAR_W + 10.0 <= room;
        for (k, e) in timeline[*first..end].iter().enumerate() {
            marks.push(event_mark(
                e,
                xs[first + k],
                k,
                (k == 0 && fits).then(|| label.clone()),
            ));
        }
    }
    marks
}

/// The `k`th event of its cluster, at `x`.
fn event_mark(e: &TimelineEntry, x: f64, k: usize, label: Option<String>) -> EventMark {
    let within = e
        .in_rel
        .as_ref()
        .map(|rel| format!(" in {rel}"))
        .unwrap_or_default();
    let matched = e
        .matched_by
        .as_ref()
        .map_or(", matched by no step".to_owned(), |step| {
            format!(", matched by {step}")
        });
    EventMark {
        x: px(x),
        // Up, middle, down, in turn: a cluster shows how many it holds.
        cy: px(EVENTS_MID + 7.0 * ((k % 3) as f64 - 1.0)),
        class: if e.matched_by.is_some() {
            "matched"
        } else {
            "unmatched"
        },
        label,
        label_x: px(x + 7.0),
        title: safe(&format!(
            "#{} at {:.1} ms: {} {} {}{within}{matched}",
            e.seq, e.at_ms, e.kind, e.rel, e.href
        )),
    }
}

fn deadline(scale: &Scale, index: usize, span: &Span<'_>, message: &str) -> Deadline {
    let x = scale.x(span.end);
    let text = safe(&format!("✗ {}: {message}", span.step.name));
    let label = if text.chars().count() > MAX_MARK_CHARS {
        let cut: String = text.chars().take(MAX_MARK_CHARS).collect();
        format!("{cut}…")
    } else {
        text.clone()
    };
    // Right of the marker when it fits, else left of it.
    let anchor = if x + label.chars().count() as f64 * CHAR_W <= WIDTH {
        "start"
    } else {
        "end"
    };
    Deadline {
        x: px(x),
        label_y: px(MARKS_Y - 4.0 + MARK_STEP * index as f64),
        line_end: px(MARKS_Y - 14.0 + MARK_STEP * index as f64),
        anchor,
        label,
        title: format!("{text} (gave up at {:.1} ms)", span.end),
    }
}

#[cfg(test)]
mod tests;
