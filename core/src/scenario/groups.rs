//! Consumer groups in the console: `kafka-consumer-groups --describe` (offsets, `--members`,
//! `--state`) and `--reset-offsets` in the column layout of Kafka 4.0's `ConsumerGroupCommand`,
//! and the `expect group|assignment|consumed|lag` checks (G1, G3, A1–A4).

use crate::collections::VecSet;
use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;

use super::ast::{Expect, ResetTo};
use super::interp::Diffs;
use super::ScenarioError;
use crate::ids::TopicPartition;
use crate::view::{ClusterView, ConsumerView, GroupView};

/// What the tool prints for a missing value.
const MISSING: &str = "-";

fn group_or_err<'a>(view: &'a ClusterView, group: &str) -> Result<&'a GroupView, ScenarioError> {
    view.groups
        .iter()
        .find(|g| g.group_id == group)
        .ok_or_else(|| {
            ScenarioError::Failed(format!("Error: Consumer group '{group}' does not exist."))
        })
}

/// Left-aligns `s` in `width` columns, as Java's `%-Ns`.
/// The consumer `client_id` of the view, or the failure of the `expect <what>` line.
fn consumer_or_err<'a>(
    view: &'a ClusterView,
    what: &str,
    client_id: &str,
) -> Result<&'a ConsumerView, ScenarioError> {
    view.consumers
        .iter()
        .find(|c| c.client_id == client_id)
        .ok_or_else(|| {
            ScenarioError::Failed(format!("expect {what}: there is no consumer '{client_id}'"))
        })
}

fn pad(s: &str, width: usize) -> String {
    let mut out = String::from(s);
    let n = s.chars().count();
    if n < width {
        out.extend(core::iter::repeat_n(' ', width - n));
    }
    out
}

/// The simulated client's host, in the tool's `/address` form.
fn host_of(client_id: &str) -> String {
    format!("/{client_id}")
}

fn tp_list(tps: &VecSet<TopicPartition>) -> String {
    let v: Vec<String> = tps.iter().map(ToString::to_string).collect();
    v.join(",")
}

/// The warning lines the tool prints before a group's table.
fn state_note(g: &GroupView) -> Option<String> {
    match g.state {
        "Empty" => Some(format!(
            "Consumer group '{}' has no active members.",
            g.group_id
        )),
        "PreparingRebalance" | "CompletingRebalance" | "Assigning" | "Reconciling" => Some(
            format!("Warning: Consumer group '{}' is rebalancing.", g.group_id),
        ),
        "Dead" => Some(format!(
            "Error: Consumer group '{}' does not exist.",
            g.group_id
        )),
        _ => None,
    }
}

/// `ConsumerGroupCommand.getAssignmentString`: per topic `topic:p,p` (partitions sorted), the
/// topics sorted and joined by `;`; "-" when empty.
fn assignment_string(tps: &[TopicPartition]) -> String {
    if tps.is_empty() {
        return MISSING.to_string();
    }
    let mut by_topic: crate::collections::VecMap<&str, Vec<u32>> = Default::default();
    for tp in tps {
        by_topic.entry(tp.topic()).or_default().push(tp.partition);
    }
    let parts: Vec<String> = by_topic
        .into_iter()
        .map(|(t, mut ps)| {
            ps.sort_unstable();
            let ps: Vec<String> = ps.iter().map(ToString::to_string).collect();
            format!("{t}:{}", ps.join(","))
        })
        .collect();
    parts.join(";")
}

pub(super) fn describe(
    view: &ClusterView,
    group: &str,
    members: bool,
    state: bool,
    verbose: bool,
) -> Result<Vec<String>, ScenarioError> {
    let g = group_or_err(view, group)?;
    let mut out = Vec::new();
    if let Some(note) = state_note(g) {
        out.push(String::new());
        out.push(note);
    }
    // As the tool: a table only when it has rows (`--state` always has one).
    if members && g.members.is_empty() {
        return Ok(out);
    }
    if members {
        let gl = g.group_id.len().max(15);
        let cl = g
            .members
            .iter()
            .map(|m| m.member_id.len())
            .max()
            .unwrap_or(0)
            .max(15);
        let hl = g
            .members
            .iter()
            .map(|m| host_of(&m.client_id).len())
            .max()
            .unwrap_or(0)
            .max(15);
        let kl = g
            .members
            .iter()
            .map(|m| m.client_id.len())
            .max()
            .unwrap_or(0)
            .max(15);
        let with_instance = g.members.iter().any(|m| m.instance_id.is_some());
        let il = g
            .members
            .iter()
            .filter_map(|m| m.instance_id.as_ref().map(String::len))
            .max()
            .unwrap_or(0)
            .max(17);
        let row = |cols: [&str; 5], instance: &str| {
            if with_instance {
                format!(
                    "{} {} {} {} {} {} ",
                    pad(cols[0], gl),
                    pad(cols[1], cl),
                    pad(instance, il),
                    pad(cols[2], hl),
                    pad(cols[3], kl),
                    pad(cols[4], 15)
                )
            } else {
                format!(
                    "{} {} {} {} {} ",
                    pad(cols[0], gl),
                    pad(cols[1], cl),
                    pad(cols[2], hl),
                    pad(cols[3], kl),
                    pad(cols[4], 15)
                )
            }
        };
        // `--verbose` (Kafka 3.7+): epochs and assignments as `topic:p,p;topic:p`, "-" when
        // empty or unknown (a classic group has no epochs).
        let current: Vec<String> = g
            .members
            .iter()
            .map(|m| assignment_string(&m.assigned))
            .collect();
        let target: Vec<String> = g
            .members
            .iter()
            .map(|m| assignment_string(&m.target_assignment))
            .collect();
        let al = current.iter().map(String::len).max().unwrap_or(0).max(20);
        let tl = target.iter().map(String::len).max().unwrap_or(0).max(20);
        let extra = |cols: [&str; 4]| {
            format!(
                "{} {} {} {}",
                pad(cols[0], 15),
                pad(cols[1], al),
                pad(cols[2], 15),
                pad(cols[3], tl)
            )
        };
        out.push(String::new());
        let mut header = row(
            ["GROUP", "CONSUMER-ID", "HOST", "CLIENT-ID", "#PARTITIONS"],
            "GROUP-INSTANCE-ID",
        );
        if verbose {
            header.push_str(&extra([
                "CURRENT-EPOCH",
                "CURRENT-ASSIGNMENT",
                "TARGET-EPOCH",
                "TARGET-ASSIGNMENT",
            ]));
        }
        out.push(header);
        for (i, m) in g.members.iter().enumerate() {
            let n = m.assigned.len().to_string();
            let mut line = row(
                [
                    &g.group_id,
                    &m.member_id,
                    &host_of(&m.client_id),
                    &m.client_id,
                    &n,
                ],
                m.instance_id.as_deref().unwrap_or(""),
            );
            if verbose {
                let epoch = m
                    .member_epoch
                    .map_or(MISSING.to_string(), |e| e.to_string());
                let target_epoch = g
                    .assignment_epoch
                    .map_or(MISSING.to_string(), |e| e.to_string());
                line.push_str(&extra([&epoch, &current[i], &target_epoch, &target[i]]));
            }
            out.push(line);
        }
        return Ok(out);
    }
    if state {
        let coordinator = g.coordinator.map_or_else(
            || format!("{MISSING}  ({MISSING})"),
            |b| format!("broker-{b}:9092  ({b})"),
        );
        let gl = g.group_id.len().max(15);
        let col = coordinator.len().max(25);
        let strategy = g.protocol.as_deref().unwrap_or(MISSING);
        out.push(String::new());
        if verbose {
            let e = |v: Option<i32>| v.map_or(MISSING.to_string(), |e| e.to_string());
            out.push(format!(
                "{} {} {} {} {} {} #MEMBERS",
                pad("GROUP", gl),
                pad("COORDINATOR (ID)", col),
                pad("ASSIGNMENT-STRATEGY", 20),
                pad("STATE", 20),
                pad("GROUP-EPOCH", 15),
                pad("TARGET-ASSIGNMENT-EPOCH", 25)
            ));
            out.push(format!(
                "{} {} {} {} {} {} {}",
                pad(&g.group_id, gl),
                pad(&coordinator, col),
                pad(strategy, 20),
                pad(g.state, 20),
                pad(&e(g.group_epoch), 15),
                pad(&e(g.assignment_epoch), 25),
                g.members.len()
            ));
            return Ok(out);
        }
        out.push(format!(
            "{} {} {} {} #MEMBERS",
            pad("GROUP", gl),
            pad("COORDINATOR (ID)", col),
            pad("ASSIGNMENT-STRATEGY", 20),
            pad("STATE", 20)
        ));
        out.push(format!(
            "{} {} {} {} {}",
            pad(&g.group_id, gl),
            pad(&coordinator, col),
            pad(strategy, 20),
            pad(g.state, 20),
            g.members.len()
        ));
        return Ok(out);
    }
    // Offsets: one row per partition the group has an offset for or owns.
    struct Row {
        tp: TopicPartition,
        current: String,
        log_end: String,
        lag: String,
        consumer: String,
        host: String,
        client: String,
    }
    let mut rows: Vec<Row> = Vec::new();
    let mut seen = VecSet::new();
    for o in &g.offsets {
        let owner = g.members.iter().find(|m| m.assigned.contains(&o.tp));
        let committed = o.committed >= 0;
        rows.push(Row {
            tp: o.tp.clone(),
            current: if committed {
                o.committed.to_string()
            } else {
                MISSING.to_string()
            },
            log_end: o.log_end.to_string(),
            lag: if committed {
                o.lag.to_string()
            } else {
                MISSING.to_string()
            },
            consumer: owner.map_or(MISSING.to_string(), |m| m.member_id.clone()),
            host: owner.map_or(MISSING.to_string(), |m| host_of(&m.client_id)),
            client: owner.map_or(MISSING.to_string(), |m| m.client_id.clone()),
        });
        seen.insert(o.tp.clone());
    }
    for m in &g.members {
        for tp in m.assigned.iter().filter(|tp| !seen.contains(*tp)) {
            rows.push(Row {
                tp: tp.clone(),
                current: MISSING.to_string(),
                log_end: MISSING.to_string(),
                lag: MISSING.to_string(),
                consumer: m.member_id.clone(),
                host: host_of(&m.client_id),
                client: m.client_id.clone(),
            });
        }
    }
    if rows.is_empty() {
        return Ok(out);
    }
    crate::sort::sort_by(&mut rows, |a, b| a.tp.cmp(&b.tp));
    let gl = g.group_id.len().max(15);
    let tl = rows
        .iter()
        .map(|r| r.tp.topic.len())
        .max()
        .unwrap_or(0)
        .max(15);
    let cl = rows
        .iter()
        .map(|r| r.consumer.len())
        .max()
        .unwrap_or(0)
        .max(15);
    let hl = rows.iter().map(|r| r.host.len()).max().unwrap_or(0).max(15);
    let line = |c: [&str; 9]| {
        format!(
            "{} {} {} {} {} {} {} {} {}",
            pad(c[0], gl),
            pad(c[1], tl),
            pad(c[2], 10),
            pad(c[3], 15),
            pad(c[4], 15),
            pad(c[5], 15),
            pad(c[6], cl),
            pad(c[7], hl),
            c[8]
        )
    };
    out.push(String::new());
    out.push(line([
        "GROUP",
        "TOPIC",
        "PARTITION",
        "CURRENT-OFFSET",
        "LOG-END-OFFSET",
        "LAG",
        "CONSUMER-ID",
        "HOST",
        "CLIENT-ID",
    ]));
    for r in &rows {
        let p = r.tp.partition.to_string();
        out.push(line([
            &g.group_id,
            &r.tp.topic,
            &p,
            &r.current,
            &r.log_end,
            &r.lag,
            &r.consumer,
            &r.host,
            &r.client,
        ]));
    }
    Ok(out)
}

/// `--reset-offsets`: the new offsets, as the tool prints them (after `--execute`, or as a
/// plan for a dry run).
pub(super) fn reset_plan(
    view: &ClusterView,
    group: &str,
    topic: &str,
    to: &ResetTo,
    executed: bool,
) -> Result<Vec<String>, ScenarioError> {
    let t = view
        .topics
        .iter()
        .find(|t| t.name == topic)
        .ok_or_else(|| {
            ScenarioError::Failed(format!(
                "UNKNOWN_TOPIC_OR_PARTITION: there is no topic '{topic}'"
            ))
        })?;
    let mut out = Vec::new();
    if !executed {
        out.push("WARN: No action will be performed as the --execute option is missing. In a future major release, the default behavior of this command will be to prompt the user before executing the reset rather than doing a dry run. You should add the --dry-run option explicitly if you are scripting this command and want to keep the current default behavior without prompting.".to_string());
    }
    out.push(String::new());
    out.push(format!(
        "{} {} {} NEW-OFFSET",
        pad("GROUP", 30),
        pad("TOPIC", 30),
        pad("PARTITION", 10)
    ));
    for p in &t.partitions {
        let new = match to {
            ResetTo::Earliest => p.log_start_offset,
            ResetTo::Latest => p.high_watermark,
            ResetTo::Offset(n) => (*n).clamp(p.log_start_offset, p.high_watermark),
        };
        out.push(format!(
            "{} {} {} {}",
            pad(group, 30),
            pad(topic, 30),
            pad(&p.partition.to_string(), 10),
            new
        ));
    }
    Ok(out)
}

pub(super) fn expect(
    sim: &crate::sim::Sim,
    view: &ClusterView,
    e: &Expect,
) -> Result<Vec<String>, ScenarioError> {
    match e {
        Expect::Group {
            group,
            state,
            generation,
            members,
            protocol,
            epoch,
            idle_ms,
            moved,
            stopped,
            duplicates,
            skipped,
        } => {
            let g = group_or_err(view, group)?;
            let mut d = Diffs::new(format!("expect group {group}"));
            if let Some(want) = state {
                if want != g.state {
                    d.differ("state", want, g.state);
                }
            }
            d.check("generation", *generation, i64::from(g.generation));
            d.check("members", *members, g.members.len() as u64);
            if let Some(want) = protocol {
                // `classic`/`consumer` name the group protocol (G8); anything else the assignor.
                let have = if want == "classic" || want == "consumer" {
                    g.group_type
                } else {
                    g.protocol.as_deref().unwrap_or("none")
                };
                if want != have {
                    d.differ("protocol", want, have);
                }
            }
            if let Some(want) = epoch {
                match g.group_epoch {
                    Some(e) => d.check("epoch", Some(*want), i64::from(e)),
                    None => d.differ("epoch", &want.to_string(), "(a classic group has no epoch)"),
                }
            }
            let idle: u64 = g
                .rebalances
                .last()
                .map_or(0, |r| r.stopped_ms.iter().map(|(_, ms)| *ms).sum());
            d.check("idle-ms", *idle_ms, idle);
            d.check("duplicates", *duplicates, g.duplicates);
            if skipped.is_some() {
                // Counted only when asked: it reads the group's partitions from the log start.
                d.check("skipped", *skipped, sim.group_skipped(group).unwrap_or(0));
            }
            let last_done = g.rebalances.iter().rev().find(|r| r.completed_ms.is_some());
            d.check(
                "moved",
                *moved,
                last_done.map_or(0, |r| u64::from(r.partitions_moved)),
            );
            if let Some(want) = stopped {
                let mut want: Vec<&str> = want.iter().map(String::as_str).collect();
                want.sort_unstable();
                want.dedup();
                let mut have: Vec<&str> = g
                    .rebalances
                    .last()
                    .map(|r| r.stopped_ms.iter().map(|(c, _)| c.as_str()).collect())
                    .unwrap_or_default();
                have.sort_unstable();
                have.dedup();
                if want != have {
                    d.differ("stopped", &want.join(","), &have.join(","));
                }
            }
            d.finish()
        }
        Expect::Assignment { group, members } => {
            let g = group_or_err(view, group)?;
            let mut d = Diffs::new(format!("expect assignment {group}"));
            for (client, want) in members {
                let want: VecSet<TopicPartition> = want.iter().cloned().collect();
                // A member is found by its CLIENT-ID, or by the member id of the consumer of
                // that name: a static member that restarts under a new client.id keeps the old
                // client id in the group (ClassicGroup.replaceStaticMember keeps the replaced
                // member's clientId) but takes the new consumer's member id.
                let member_id = view
                    .consumers
                    .iter()
                    .find(|c| c.client_id == *client && c.group == *group)
                    .map(|c| c.member_id.as_str())
                    .filter(|id| !id.is_empty());
                let is_it = |m: &&crate::view::MemberView| {
                    m.client_id == *client || Some(m.member_id.as_str()) == member_id
                };
                let have: VecSet<TopicPartition> = g
                    .members
                    .iter()
                    .filter(is_it)
                    .flat_map(|m| m.assigned.iter().cloned())
                    .collect();
                if want != have {
                    let have_text = if g.members.iter().any(|m| is_it(&m)) {
                        tp_list(&have)
                    } else {
                        "(not a member)".to_string()
                    };
                    d.differ(client, &tp_list(&want), &have_text);
                }
            }
            d.finish()
        }
        Expect::Consumed {
            client_id,
            count,
            duplicates,
        } => {
            let c = consumer_or_err(view, "consumed", client_id)?;
            let mut d = Diffs::new(format!("expect consumed {client_id}"));
            d.check("count", *count, c.consumed);
            d.check("duplicates", *duplicates, c.duplicates);
            d.finish()
        }
        Expect::Consumer {
            client_id,
            state,
            generation,
            last_error,
        } => {
            let c = consumer_or_err(view, "consumer", client_id)?;
            let mut d = Diffs::new(format!("expect consumer {client_id}"));
            if let Some(want) = state {
                if !want.eq_ignore_ascii_case(c.state) {
                    d.differ("state", want, c.state);
                }
            }
            d.check("generation", *generation, i64::from(c.generation));
            if let Some(want) = last_error {
                d.check_error(want.as_deref(), c.last_error.as_deref());
            }
            d.finish()
        }
        Expect::Lag {
            group,
            total,
            partitions,
        } => {
            let g = group_or_err(view, group)?;
            let mut d = Diffs::new(format!("expect lag {group}"));
            d.check("total", *total, g.total_lag);
            for (tp, want) in partitions {
                match g.offsets.iter().find(|o| o.tp == *tp) {
                    Some(o) => d.check(&tp.to_string(), Some(*want), o.lag),
                    None => d.differ(&tp.to_string(), &want.to_string(), "(no offset for it)"),
                }
            }
            d.finish()
        }
        _ => Ok(Vec::new()),
    }
}

#[cfg(test)]
mod tests {
    use crate::scenario::{run_script_in, Session};
    use alloc::format;
    use alloc::string::ToString;

    #[test]
    fn describe_verbose_prints_consumer_group_epochs_as_kafka_3_7() {
        // ConsumerGroupCommand.printMembers/printStates with --verbose (G8).
        let mut s = Session::new();
        run_script_in(
            &mut s,
            "cluster brokers=1 seed=6\n\
             kafka-topics --create --topic orders --partitions 2 --replication-factor 1\n\
             consumer add c1 group=g1 topics=orders group.protocol=consumer\n\
             settle\n",
        )
        .unwrap_or_else(|f| panic!("{f}"));
        let out = s
            .run_line("kafka-consumer-groups --describe --group g1 --members --verbose")
            .unwrap()
            .lines;
        let tail = |a: &str, b: &str, c: &str, d: &str| format!("{a:<15} {b:<20} {c:<15} {d:<20}");
        assert!(
            out[1].ends_with(&format!(
                "#PARTITIONS     {}",
                tail(
                    "CURRENT-EPOCH",
                    "CURRENT-ASSIGNMENT",
                    "TARGET-EPOCH",
                    "TARGET-ASSIGNMENT"
                )
            )),
            "{}",
            out[1]
        );
        assert!(
            out[2].ends_with(&format!(
                "2               {}",
                tail("1", "orders:0,1", "1", "orders:0,1")
            )),
            "{}",
            out[2]
        );
        let out = s
            .run_line("kafka-consumer-groups --describe --group g1 --state --verbose")
            .unwrap()
            .lines;
        assert!(
            out[1].contains(
                "STATE                GROUP-EPOCH     TARGET-ASSIGNMENT-EPOCH   #MEMBERS"
            ),
            "{}",
            out[1]
        );
        assert!(out[2].contains("uniform              Stable               1               1                         1"), "{}", out[2]);
    }

    #[test]
    fn describe_prints_consumer_group_commands_columns() {
        let mut s = Session::new();
        run_script_in(
            &mut s,
            "cluster brokers=1 seed=6\n\
             kafka-topics --create --topic orders --partitions 1 --replication-factor 1\n\
             producer add p1\n\
             produce p1 orders value=x count=3\n\
             settle\n\
             consumer add c1 group=g1 topics=orders auto.offset.reset=earliest\n\
             settle\n",
        )
        .unwrap_or_else(|f| panic!("{f}"));
        let out = s
            .run_line("kafka-consumer-groups --describe --group g1")
            .unwrap()
            .lines;
        assert_eq!(out[0], "");
        assert_eq!(
            out[1],
            "GROUP           TOPIC           PARTITION  CURRENT-OFFSET  LOG-END-OFFSET  LAG             CONSUMER-ID                             HOST            CLIENT-ID"
        );
        assert!(out[2].starts_with("g1              orders          0          3               3               0               c1-"), "{}", out[2]);
        assert!(out[2].ends_with(" /c1             c1"), "{}", out[2]);
        let e = s
            .run_line("kafka-consumer-groups --describe --group nope")
            .unwrap_err();
        assert_eq!(
            e.to_string(),
            "Error: Consumer group 'nope' does not exist."
        );
        assert_eq!(
            s.run_line("kafka-consumer-groups --list").unwrap().lines,
            ["g1"]
        );
    }
}
