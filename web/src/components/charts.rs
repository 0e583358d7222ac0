//! Three small line charts, drawn by the app as SVG (no chart library): under-replicated
//! partitions, lag per consumer group, and records acknowledged per producer, over the steps
//! of the run.
//!
//! They are sampled from the [`ClusterView`] each time the panel gets a new step (every
//! frame while running, every click while stepping), so sampling costs one pass over the view
//! and nothing is asked of the core; they are drawn from the samples only while in view or
//! stopped, like the panels around them ([`RedrawWhenSeen`]). Memory is bounded: at
//! [`MAX_SAMPLES`] the history keeps every other sample, so it always spans the whole run, more
//! coarsely as it grows. Going back in time drops the samples after the step on screen.
//!
//! Under-replicated partitions follow Kafka's `UnderReplicatedPartitions` metric summed over
//! the brokers: a partition counts when it has a leader and its ISR is smaller than its
//! replica set (an offline partition is counted by `OfflinePartitionsCount` instead).
//!
//! Plotting is integer arithmetic ([`points`]), tested natively.

use crate::state::SharedView;
use std::cell::RefCell;
use std::rc::Rc;

use logscope_core::ClusterView;
use yew::prelude::*;

use crate::components::seen::RedrawWhenSeen;
use crate::i18n::th;
use crate::i18n::{t, Key, Lang};

/// The most samples kept.
pub const MAX_SAMPLES: usize = 400;
/// Series drawn per chart (the `--owner-*` palette has six colours).
pub const MAX_SERIES: usize = 6;
const W: u64 = 300;
const H: u64 = 80;

/// What one step looked like.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Sample {
    pub step: u64,
    pub under_replicated: u64,
    /// Per group (in the view's order): its total lag.
    pub lag: Vec<(String, u64)>,
    /// Per producer: records acknowledged so far.
    pub acked: Vec<(String, u64)>,
}

impl Sample {
    pub fn of(view: &ClusterView) -> Sample {
        let under_replicated = view
            .topics
            .iter()
            .flat_map(|t| &t.partitions)
            .filter(|p| p.leader.is_some() && p.isr.len() < p.replicas.len())
            .count() as u64;
        Sample {
            step: view.step,
            under_replicated,
            lag: view
                .groups
                .iter()
                .map(|g| (g.group_id.clone(), g.total_lag.max(0) as u64))
                .collect(),
            acked: view
                .producers
                .iter()
                .map(|p| (p.client_id.clone(), p.acked))
                .collect(),
        }
    }
}

/// The samples so far, oldest first, at increasing steps.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct History {
    pub samples: Vec<Sample>,
    /// Bumped whenever `samples` changes: what tells the drawing it is out of date.
    pub version: u64,
}

impl History {
    /// Adds the view's step: after a jump back, the samples after it go first; a step already
    /// sampled is not sampled again.
    pub fn record(&mut self, sample: Sample) {
        while self.samples.last().is_some_and(|s| s.step > sample.step) {
            self.samples.pop();
            self.version += 1;
        }
        if self.samples.last().is_some_and(|s| s.step == sample.step) {
            return;
        }
        self.version += 1;
        if self.samples.len() >= MAX_SAMPLES {
            // Keep the first and every other one after it: the whole run, at half resolution.
            let mut i = 0;
            self.samples.retain(|_| {
                i += 1;
                i % 2 == 1
            });
        }
        self.samples.push(sample);
    }
}

/// The SVG `points` of a series: x spreads `first..=last` step over the width, y puts 0 at the
/// bottom and `max` at the top (integer arithmetic; `max` 0 draws along the bottom).
pub fn points(series: &[(u64, u64)], first: u64, last: u64, max: u64) -> String {
    let span = last.saturating_sub(first).max(1);
    series
        .iter()
        .map(|&(step, v)| {
            let x = step.saturating_sub(first) * W / span;
            let y = H - v.min(max) * H / max.max(1);
            format!("{x},{y}")
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// The named series of one chart, in order of first appearance (at most [`MAX_SERIES`]).
fn series(
    samples: &[Sample],
    pick: impl Fn(&Sample) -> &[(String, u64)],
) -> Vec<(String, Vec<(u64, u64)>)> {
    let mut out: Vec<(String, Vec<(u64, u64)>)> = Vec::new();
    for s in samples {
        for (name, v) in pick(s) {
            if let Some((_, points)) = out.iter_mut().find(|(n, _)| n == name) {
                points.push((s.step, *v));
            } else if out.len() < MAX_SERIES {
                out.push((name.clone(), vec![(s.step, *v)]));
            }
        }
    }
    out
}

#[derive(Properties, PartialEq)]
pub struct ChartsPanelProps {
    pub view: SharedView,
    /// Whether the run is playing: then the charts are redrawn only while in view.
    #[prop_or_default]
    pub running: bool,
    #[prop_or_default]
    pub lang: Lang,
}

/// Samples every step it is given; draws the charts through [`RedrawWhenSeen`], so that a
/// playing run out of view pays for the sample and not for three SVG charts a frame (at 100×
/// on issue 7's large cluster they were a tenth of the app's frame callback).
#[function_component]
pub fn ChartsPanel(props: &ChartsPanelProps) -> Html {
    let lang = props.lang;
    let history = use_mut_ref(History::default);
    history.borrow_mut().record(Sample::of(&props.view));
    let version = history.borrow().version;
    html! {
        <section class="charts panel" aria-labelledby="charts-title">
            <h2 class="panel__title" id="charts-title">{ th(lang, Key::ChartsTitle) }</h2>
            <p class="charts__help">{ th(lang, Key::ChartsHelp) }</p>
            <RedrawWhenSeen running={props.running}>
                <Charts {history} {version} {lang} />
            </RedrawWhenSeen>
        </section>
    }
}

#[derive(Properties)]
struct ChartsProps {
    history: Rc<RefCell<History>>,
    /// The history's version when this was made: equal props draw the same charts.
    version: u64,
    lang: Lang,
}

impl PartialEq for ChartsProps {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.history, &other.history)
            && self.version == other.version
            && self.lang == other.lang
    }
}

#[function_component]
fn Charts(props: &ChartsProps) -> Html {
    draw_all(&props.history, props.lang)
}

fn draw_all(history: &RefCell<History>, lang: Lang) -> Html {
    let h = history.borrow();
    let samples = &h.samples;
    if samples.len() < 2 {
        return html! { <p class="panel__empty">{ th(lang, Key::ChartEmpty) }</p> };
    }
    let urp = vec![(
        String::new(),
        samples
            .iter()
            .map(|s| (s.step, s.under_replicated))
            .collect::<Vec<_>>(),
    )];
    html! { <>
        { chart("under-replicated", t(lang, Key::ChartUnderReplicated), &urp, samples, lang) }
        if samples.iter().all(|s| s.lag.is_empty()) {
            <p class="panel__empty" data-chart-empty="lag">{ th(lang, Key::ChartLag) }{ ": " }{ th(lang, Key::NoGroups) }</p>
        } else {
            { chart("lag", t(lang, Key::ChartLag), &series(samples, |s| &s.lag), samples, lang) }
        }
        if samples.iter().all(|s| s.acked.is_empty()) {
            <p class="panel__empty" data-chart-empty="acked">{ th(lang, Key::ChartAcked) }{ ": " }{ th(lang, Key::NoProducers) }</p>
        } else {
            { chart("acked", t(lang, Key::ChartAcked), &series(samples, |s| &s.acked), samples, lang) }
        }
    </> }
}

fn chart(
    id: &'static str,
    title: &'static str,
    series: &[(String, Vec<(u64, u64)>)],
    samples: &[Sample],
    lang: Lang,
) -> Html {
    let first = samples.first().map_or(0, |s| s.step);
    let last = samples.last().map_or(0, |s| s.step);
    let max = series
        .iter()
        .flat_map(|(_, p)| p.iter().map(|&(_, v)| v))
        .max()
        .unwrap_or(0);
    // The label says what the picture shows: each series' latest value, and the span.
    let now: Vec<String> = series
        .iter()
        .filter_map(|(name, p)| {
            p.last()
                .map(|&(_, v)| format!("{name} {v}").trim_start().to_string())
        })
        .collect();
    let steps = t(lang, Key::StepsAxis);
    let label = format!("{title}: {} ({steps} {first}–{last})", now.join(", "));
    html! {
        <figure class="chart" data-chart={id}>
            <figcaption class="chart__title">{ title }</figcaption>
            <svg class="chart__svg" viewBox={format!("-30 -8 {} {}", W + 40, H + 24)}
                width={(W + 40).to_string()} height={(H + 24).to_string()} role="img" aria-label={label.clone()}>
                <title>{ label }</title>
                <line class="chart__axis" x1="0" y1={H.to_string()} x2={W.to_string()} y2={H.to_string()} />
                <line class="chart__axis" x1="0" y1="0" x2="0" y2={H.to_string()} />
                <text class="chart__tick" x="-4" y="4" text-anchor="end">{ max }</text>
                <text class="chart__tick" x="-4" y={H.to_string()} text-anchor="end">{ "0" }</text>
                <text class="chart__tick" x="0" y={(H + 14).to_string()}>{ first }</text>
                <text class="chart__tick" x={W.to_string()} y={(H + 14).to_string()} text-anchor="end">{ last }</text>
                { for series.iter().enumerate().map(|(i, (name, p))| html! {
                    <polyline class={classes!("chart__line", format!("chart__line--{i}"))}
                        data-series={name.clone()} points={points(p, first, last, max)} />
                }) }
            </svg>
            if id != "under-replicated" {
                <ul class="chart__legend">
                    { for series.iter().enumerate().map(|(i, (name, _))| html! {
                        <li><span class={classes!("chart__swatch", format!("chart__line--{i}"))} aria-hidden="true"></span>{ name.clone() }</li>
                    }) }
                </ul>
            }
        </figure>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample(step: u64, urp: u64) -> Sample {
        Sample {
            step,
            under_replicated: urp,
            lag: vec![],
            acked: vec![],
        }
    }

    #[test]
    fn points_put_the_span_across_the_width_and_zero_at_the_bottom() {
        // Steps 10..=20 over 300 units: 10 → 0, 15 → 150, 20 → 300. Values 0..=4 over 80
        // units, upside down: 0 → 80, 2 → 40, 4 → 0.
        assert_eq!(
            points(&[(10, 0), (15, 2), (20, 4)], 10, 20, 4),
            "0,80 150,40 300,0"
        );
        // All zero: along the bottom, no division by zero.
        assert_eq!(points(&[(3, 0), (3, 0)], 3, 3, 0), "0,80 0,80");
    }

    #[test]
    fn history_is_bounded_and_forgets_the_future_after_a_jump_back() {
        let mut h = History::default();
        for step in 1..=MAX_SAMPLES as u64 {
            h.record(sample(step, 0));
        }
        assert_eq!(h.samples.len(), MAX_SAMPLES);
        h.record(sample(MAX_SAMPLES as u64 + 1, 0));
        // Halved (steps 1, 3, 5, …, 399), then the new one.
        assert_eq!(h.samples.len(), MAX_SAMPLES / 2 + 1);
        assert_eq!(h.samples[0].step, 1);
        assert_eq!(h.samples[1].step, 3);
        assert_eq!(h.samples.last().unwrap().step, MAX_SAMPLES as u64 + 1);
        // The same step again adds nothing; going back drops what came after.
        h.record(sample(MAX_SAMPLES as u64 + 1, 0));
        assert_eq!(h.samples.len(), MAX_SAMPLES / 2 + 1);
        h.record(sample(6, 1));
        let steps: Vec<u64> = h.samples.iter().map(|s| s.step).collect();
        assert_eq!(steps, [1, 3, 5, 6]);
    }

    /// The default scenario's view, with one partition's ISR cut to two of its three replicas
    /// and another's leader gone: one under-replicated partition (the offline one is not).
    #[test]
    fn a_partition_is_under_replicated_when_led_with_a_short_isr() {
        let mut sim = crate::state::default_sim(1).unwrap();
        sim.run_until(logscope_core::Millis(10_000));
        let mut view = sim.view();
        assert_eq!(Sample::of(&view).under_replicated, 0);
        let orders = view.topics.iter_mut().find(|t| t.name == "orders").unwrap();
        orders.partitions[0].isr.truncate(2);
        orders.partitions[1].isr.truncate(1);
        orders.partitions[1].leader = None;
        assert_eq!(Sample::of(&view).under_replicated, 1);
    }

    /// A killed broker leaves the ISR of every partition it hosts once the controller fences
    /// it (missed heartbeats) or the leader drops it (`replica.lag.time.max.ms`, 30 s): in the
    /// default scenario every `orders` partition has a replica on each of the 3 brokers, so
    /// 35 s after `broker kill 2` all 3 are under-replicated, and their leaders are alive.
    #[test]
    fn killing_a_broker_makes_every_partition_it_hosts_under_replicated() {
        let mut session = logscope_core::scenario::Session::new();
        for line in crate::state::setup_lines(1) {
            session.run_line(&line).unwrap();
        }
        session.run_line("run 10s").unwrap();
        assert_eq!(
            Sample::of(&session.sim().unwrap().view()).under_replicated,
            0
        );
        session.run_line("broker kill 2").unwrap();
        session.run_line("run 35s").unwrap();
        let view = session.sim().unwrap().view();
        let hosted = view
            .topics
            .iter()
            .flat_map(|t| &t.partitions)
            .filter(|p| p.replicas.iter().any(|b| b.0 == 2))
            .count() as u64;
        assert_eq!(hosted, 3, "only the orders partitions exist");
        assert_eq!(Sample::of(&view).under_replicated, 3);
    }

    #[test]
    fn series_follow_names_across_samples() {
        let mut a = sample(1, 0);
        a.acked = vec![("p1".into(), 0)];
        let mut b = sample(2, 0);
        b.acked = vec![("p1".into(), 5), ("p2".into(), 1)];
        let s = series(&[a, b], |s| &s.acked);
        assert_eq!(
            s,
            vec![
                ("p1".to_string(), vec![(1, 0), (2, 5)]),
                ("p2".to_string(), vec![(2, 1)]),
            ]
        );
    }
}
