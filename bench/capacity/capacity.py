#!/usr/bin/env python3
"""What a million messages cost, and where scale stops: the tables of docs/capacity.md.

Reads the price list (prices.json), the measured figures and assumptions (inputs.json), the service limits
(limits.json) and serverless.template (memory sizes, batch and concurrency parameters, the command API's
throttle), and prints Markdown. No package beyond the Python 3 standard library.

    python3 bench/capacity/capacity.py                        # the tables, to stdout
    python3 bench/capacity/capacity.py --check docs/capacity.md  # exit 1 if the doc no longer quotes them
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPOSITORY = HERE.parent.parent
MILLION = 1_000_000
FULL_VCPU_MB = 1769  # Lambda gives one full vCPU at 1,769 MB and CPU in proportion below it.
SECONDS_PER_MONTH = 30 * 24 * 3600
BEGIN = "<!-- capacity.py output: begin -->"
END = "<!-- capacity.py output: end -->"


def load(name: str) -> dict:
    return json.loads((HERE / name).read_text(encoding="utf-8"))


def value(node: dict):
    return node["value"]


class Template:
    """The few facts the tables need from serverless.template."""

    def __init__(self, path: Path):
        self.root = json.loads(path.read_text(encoding="utf-8"))

    def parameter(self, name: str) -> dict:
        return self.root["Parameters"][name]

    def default(self, name: str):
        return self.parameter(name)["Default"]

    def memory_mb(self, function: str) -> int:
        return int(self.root["Resources"][function]["Properties"]["MemorySize"])

    def count_of_type(self, type_: str) -> int:
        return sum(1 for r in self.root["Resources"].values() if r.get("Type") == type_)

    def http_api_throttle(self) -> tuple[int, int]:
        settings = self.root["Resources"]["CommandApi"]["Properties"]["DefaultRouteSettings"]
        return int(settings["ThrottlingRateLimit"]), int(settings["ThrottlingBurstLimit"])


@dataclass(frozen=True)
class Prices:
    p: dict

    def __getitem__(self, key: str) -> float:
        return self.p["prices"][key]["usd"]

    def gb_second(self, architecture: str) -> float:
        return self[f"lambda_gb_second_{architecture}"]


def cpu_share(memory_mb: int) -> float:
    return min(1.0, memory_mb / FULL_VCPU_MB)


def money(usd: float) -> str:
    if usd == 0:
        return "–"
    if usd < 0.005:
        return "<$0.01"
    return f"${usd:,.2f}"


def unit_price(usd: float) -> str:
    return f"${usd:.2f}" if usd >= 0.01 else "$" + f"{usd:.10f}".rstrip("0")


def number(x: float) -> str:
    """Whole numbers from 10 up, one decimal below (a concurrency of 0.4 is not 0)."""
    return f"{x:,.0f}" if x >= 10 or x == 0 else f"{x:,.1f}"


def table(header: list[str], rows: list[list[str]], right: set[int] | None = None) -> list[str]:
    right = right if right is not None else set(range(1, len(header)))
    align = ["---:" if i in right else "---" for i in range(len(header))]
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join(align) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return lines


# ---------------------------------------------------------------------------------------------------- costs


@dataclass
class Cost:
    """Dollars per million of something, by line item."""

    messaging: float = 0.0
    rules: float = 0.0
    sqs: float = 0.0
    http_api: float = 0.0
    lambda_requests: float = 0.0
    lambda_duration: float = 0.0
    logs: float = 0.0
    xray: float = 0.0

    @property
    def total(self) -> float:
        return self.messaging + self.rules + self.sqs + self.http_api + self.lambda_requests + self.lambda_duration + self.logs + self.xray


class Model:
    def __init__(self, prices: Prices, inputs: dict, template: Template):
        self.prices = prices
        self.inputs = inputs
        self.template = template
        self.ingest_mb = template.memory_mb("IngestFunction")
        self.api_mb = template.memory_mb("CommandApiFunction")
        self.publisher_mb = template.memory_mb("CommandPublisherFunction")
        cold = inputs["cold_start"]
        self.cold_fraction = value(cold["fraction_of_invocations"])
        self.ours_init_ms = value(cold["ours_init_ms"])
        self.platform_log = value(inputs["lambda_platform_log_bytes_per_invocation"])
        self.sampled = value(inputs["tracing"]["sampled_fraction"])

    def traces(self, count: float) -> float:
        """Dollars for the traces X-Ray records when `count` traces start (beyond the reservoir, in the fixed costs)."""
        return count * self.sampled / MILLION * self.prices["xray_traces_recorded_per_million"]

    # Per invocation --------------------------------------------------------------------------------------

    def ingest_ms(self, records: int) -> float:
        """Billed ms of an ingest invocation of `records` messages from distinct devices (one Waylay request)."""
        i = self.inputs["ingest"]
        cpu_ms_per_record = value(i["ms_per_10k_records"]) / 10_000
        requests = math.ceil(records / 100)  # the broker takes up to 100 events of distinct resources per request
        concurrent = value(i["max_concurrent_waylay_requests_per_invocation"])
        waits = math.ceil(requests / concurrent)
        return (value(i["invocation_overhead_ms"])
                + records * cpu_ms_per_record / cpu_share(self.ingest_mb)
                + waits * value(i["waylay_request_ms"])
                + self.cold_fraction * self.ours_init_ms)

    def api_ms(self) -> float:
        a = self.inputs["command_api"]
        return (value(a["invocation_overhead_ms"]) + value(a["cpu_ms_per_request"]) / cpu_share(self.api_mb)
                + value(a["sqs_send_ms"]) + self.cold_fraction * self.ours_init_ms)

    def publisher_ms(self, commands: int) -> float:
        p = self.inputs["command_publisher"]
        per_command = value(p["cpu_ms_per_command"]) / cpu_share(self.publisher_mb) + value(p["iot_publish_ms"])
        return value(p["invocation_overhead_ms"]) + commands * per_command + self.cold_fraction * self.ours_init_ms

    def duration_cost(self, ms: float, memory_mb: int, architecture: str) -> float:
        """Dollars for one invocation's duration (billed per 1 ms)."""
        return math.ceil(ms) / 1000 * memory_mb / 1024 * self.prices.gb_second(architecture)

    def log_cost(self, bytes_: float) -> float:
        return bytes_ / 1e9 * self.prices["logs_ingestion_per_gb"]

    # Per million ------------------------------------------------------------------------------------------

    def telemetry(self, per_invocation: int, basic_ingest: bool, architecture: str = "x86_64") -> Cost:
        p = self.prices
        invocations = MILLION / per_invocation
        # ReceiveMessage and DeleteMessageBatch take at most 10 messages each.
        sqs_calls_per_side = MILLION / min(per_invocation, 10)
        return Cost(
            messaging=0.0 if basic_ingest else p["iot_messaging_per_million"],
            rules=p["iot_rules_triggered_per_million"] + p["iot_actions_executed_per_million"],
            sqs=(MILLION + 2 * sqs_calls_per_side) / MILLION * p["sqs_standard_per_million"],
            lambda_requests=invocations / MILLION * p["lambda_requests_per_million"],
            lambda_duration=invocations * self.duration_cost(self.ingest_ms(per_invocation), self.ingest_mb, architecture),
            logs=invocations * self.log_cost(value(self.inputs["ingest"]["log_bytes_per_invocation"]) + self.platform_log),
            # IoT Core does not trace: each ingest invocation starts one trace for its whole batch.
            xray=self.traces(invocations),
        )

    def replaced_telemetry(self, billed_ms: float) -> Cost:
        r = self.inputs["replaced"]
        p = self.prices
        cold = self.inputs["cold_start"]
        ms = billed_ms + self.cold_fraction * value(cold["nodejs_init_ms"])
        return Cost(
            messaging=p["iot_messaging_per_million"],
            rules=p["iot_rules_triggered_per_million"] + p["iot_actions_executed_per_million"],
            lambda_requests=p["lambda_requests_per_million"],
            lambda_duration=MILLION * self.duration_cost(ms, value(r["memory_mb"]), "x86_64"),
            logs=MILLION * self.log_cost(value(r["log_bytes_per_invocation"])),
        )

    def commands(self, per_invocation: int) -> Cost:
        p = self.prices
        c = self.inputs["commands"]
        pub = self.inputs["command_publisher"]
        api_logs = value(self.inputs["command_api"]["log_bytes_per_request"]) + self.platform_log + value(self.inputs["http_api_access_log_bytes"])
        publisher_invocations = MILLION / per_invocation
        publisher_logs = MILLION * value(pub["log_bytes_per_command"]) + publisher_invocations * (value(pub["log_bytes_per_invocation"]) + self.platform_log)
        # The status flow (issue 15): the publisher's status messages (SendMessageBatch, 10 entries a call) and the
        # devices' acks (a rule's SendMessage each) on IngestQueue, received and deleted 10 at a time by Ingest, whose
        # CPU they add to invocations telemetry makes anyway (inputs: status_events_share_ingest_invocations).
        statuses = value(c["status_messages_per_command"])
        acks = value(c["acks_per_command"])
        status_sends = publisher_invocations * math.ceil(statuses * per_invocation / 10)
        status_records = MILLION * (statuses + acks)
        standard_requests = status_sends + MILLION * acks + 2 * status_records / 10
        ingest_cpu_ms = status_records * value(self.inputs["ingest"]["ms_per_10k_records"]) / 10_000 / cpu_share(self.ingest_mb)
        return Cost(
            messaging=(value(c["iot_messages_per_command"]) + acks * value(c["iot_messages_per_ack"])) * p["iot_messaging_per_million"],
            rules=acks * (p["iot_rules_triggered_per_million"] + p["iot_actions_executed_per_million"]),
            sqs=(MILLION + 2 * publisher_invocations) / MILLION * p["sqs_fifo_per_million"] + standard_requests / MILLION * p["sqs_standard_per_million"],
            http_api=p["http_api_per_million"],
            lambda_requests=(MILLION + publisher_invocations) / MILLION * p["lambda_requests_per_million"],
            lambda_duration=MILLION * self.duration_cost(self.api_ms(), self.api_mb, "x86_64")
            + publisher_invocations * self.duration_cost(self.publisher_ms(per_invocation), self.publisher_mb, "x86_64")
            + ingest_cpu_ms / 1000 * self.ingest_mb / 1024 * p.gb_second("x86_64"),
            logs=MILLION * self.log_cost(api_logs) + self.log_cost(publisher_logs),
            # The API's invocation starts a command's trace; the publisher and Ingest continue it: one trace each.
            xray=self.traces(MILLION),
        )

    def replaced_commands(self) -> Cost:
        return Cost(messaging=value(self.inputs["commands"]["iot_messages_per_command"]) * self.prices["iot_messaging_per_million"])


# --------------------------------------------------------------------------------------------------- output


def cost_row(label: str, cost: Cost, columns: list[str]) -> list[str]:
    return [label] + [money(getattr(cost, c)) for c in columns] + [f"**{money(cost.total)}**"]


def price_list(prices: dict) -> list[str]:
    out = [f"Price list: AWS list prices, **{prices['region']}**, looked up {prices['date']}; free tiers ignored.", ""]
    rows = [[key, unit_price(item["usd"]), item["unit"], item["source"], item["checked"]] for key, item in prices["prices"].items()]
    return out + table(["Item", "Price", "Unit", "Page", "What the lookup showed"], rows, right={1})


def input_list(inputs: dict, template: Template) -> list[str]:
    rows = [
        ["IngestFunction memory", f"{template.memory_mb('IngestFunction')} MB", "template", "serverless.template"],
        ["CommandApiFunction memory", f"{template.memory_mb('CommandApiFunction')} MB", "template", "serverless.template"],
        ["CommandPublisherFunction memory", f"{template.memory_mb('CommandPublisherFunction')} MB", "template", "serverless.template"],
    ]

    def walk(prefix: str, node: dict):
        for key, item in node.items():
            if isinstance(item, dict) and "value" in item:
                shown = ", ".join(str(v) for v in item["value"]) if isinstance(item["value"], list) else str(item["value"])
                rows.append([f"{prefix}{key}", shown, item["kind"], item["source"]])
            elif isinstance(item, dict):
                walk(f"{prefix}{key}.", item)

    walk("", inputs)
    return table(["Input", "Value", "Kind", "Source"], rows, right={1})


def telemetry_section(model: Model) -> list[str]:
    per_invocation = value(model.inputs["telemetry"]["messages_per_invocation"])
    columns = ["messaging", "rules", "sqs", "lambda_requests", "lambda_duration", "logs", "xray"]
    header = ["Per million telemetry messages", "IoT messaging", "Rule + action", "SQS", "Lambda requests", "Lambda duration", "Logs", "X-Ray", "Total"]
    rows = []
    for basic in (False, True):
        for k in per_invocation:
            how = "Basic Ingest" if basic else "broker topic"
            rows.append(cost_row(f"this design, {how}, {k} per ingest invocation ({model.ingest_ms(k):.0f} ms)", model.telemetry(k, basic), columns))
    k = per_invocation[1]
    rows.append(cost_row(f"this design, Basic Ingest, {k} per invocation, arm64 prices", model.telemetry(k, True, "arm64"), columns))
    r = model.inputs["replaced"]
    rows.append(cost_row(f"replaced: rule -> Node.js Lambda per message, {value(r['memory_mb'])} MB, {value(r['billed_ms'])} ms, POST not awaited",
                         model.replaced_telemetry(value(r["billed_ms"])), columns))
    rows.append(cost_row(f"replaced, had its runtime waited for the POST ({value(r['billed_ms_if_awaited'])} ms)",
                         model.replaced_telemetry(value(r["billed_ms_if_awaited"])), columns))
    return table(header, rows)


def command_section(model: Model) -> list[str]:
    columns = ["http_api", "lambda_requests", "lambda_duration", "sqs", "messaging", "rules", "logs", "xray"]
    header = ["Per million commands, status flow included", "HTTP API", "Lambda requests", "Lambda duration", "SQS (FIFO + status)", "IoT messaging", "Ack rule + action", "Logs", "X-Ray", "Total"]
    rows = []
    for k in value(model.inputs["commands"]["per_publisher_invocation"]):
        rows.append(cost_row(f"this design, {k} per publisher invocation (API {model.api_ms():.0f} ms, publisher {model.publisher_ms(k):.0f} ms)",
                             model.commands(k), columns))
    rows.append(cost_row("replaced: Waylay webscript -> IoT Data publish with AWS keys (Waylay's side not counted)", model.replaced_commands(), columns))
    return table(header, rows)


METRIC_NAME_FILES = {
    "ingest": "src/Ingest/IngestMetricNames.cs",
    "API": "src/Actuate/Api/CommandApiMetricNames.cs",
    "publisher": "src/Actuate/Publisher/CommandPublisherMetricNames.cs",
}


def emitted_metrics() -> dict[str, int]:
    """How many metric names each function declares (its metric-name class; the template's DashboardTests prove
    each one is emitted and shown)."""
    import re
    return {f: len(re.findall(r'const string \w+ = "', (REPOSITORY / path).read_text(encoding="utf-8"))) for f, path in METRIC_NAME_FILES.items()}


def fixed_section(model: Model, limits: dict) -> list[str]:
    p = model.prices
    minutes = SECONDS_PER_MONTH / 60
    # Lambda long-polls each queue with 20 s receives: 5 pollers (MaximumConcurrency turns off the scale-down to 2).
    idle_receives = 5 * 3 * minutes
    alarms = model.template.count_of_type("AWS::CloudWatch::Alarm")
    metrics = emitted_metrics()
    reservoir_traces = value(model.inputs["tracing"]["reservoir_per_second"]) * SECONDS_PER_MONTH
    rows = [
        ["IoT connectivity, per always-connected device", money(minutes / MILLION * p["iot_connectivity_per_million_minutes"] * 1000) + " per 1,000 devices",
         f"{minutes:,.0f} connection-minutes a device a month"],
        ["Empty receives while idle, IngestQueue", money(idle_receives / MILLION * p["sqs_standard_per_million"]), "5 pollers x 3 long polls a minute (assumed poller count)"],
        ["Empty receives while idle, CommandQueue.fifo", money(idle_receives / MILLION * p["sqs_fifo_per_million"]), "the same on the FIFO queue"],
        ["Custom metrics (EMF)", money(sum(metrics.values()) * p["cloudwatch_custom_metric_month"]),
         f"{sum(metrics.values())} metrics ({', '.join(f'{n} {f}' for f, n in metrics.items())}), one dimension each, each emitted at least once a month"],
        ["Alarms", money(alarms * p["cloudwatch_alarm_month"]), f"the template's {alarms} alarms"],
        ["Dashboard", money(p["cloudwatch_dashboard_month"]), "OperationsDashboard (free if it is one of the account's first 3)"],
        ["X-Ray reservoir", money(reservoir_traces / MILLION * p["xray_traces_recorded_per_million"]),
         f"the default sampling rule traces the first request each second: up to {reservoir_traces:,.0f} traces a month while requests arrive every second"],
    ]
    return table(["Fixed monthly cost", "USD a month", "Basis"], rows, right={1})


def scale_section(model: Model, limits: dict) -> list[str]:
    lim = {k: v["value"] for k, v in limits["limits"].items()}
    t = model.template
    devices = value(model.inputs["scale"]["devices"])
    intervals = value(model.inputs["scale"]["seconds_between_messages"])
    max_conc_default = int(t.default("IngestMaxConcurrency"))
    max_conc_ceiling = int(t.parameter("IngestMaxConcurrency")["MaxValue"])
    batch_default = int(t.default("IngestBatchSize"))
    throughput_batch = 100
    out: list[str] = []

    def cell(need: float, limit: float | None) -> str:
        if limit is None:
            return number(need)
        mark = " **over**" if need > limit else ""
        return f"{number(need)} of {limit:,.0f}{mark}"

    for interval in intervals:
        header = ["Limit (default)"] + [f"{n:,} devices: {n / interval:,.0f} msg/s" for n in devices] + ["Moved by"]
        rows = []
        loads = [n / interval for n in devices]
        rows.append(["IoT inbound publishes/s per account (20,000)"] + [cell(l, lim["iot_inbound_publish_per_s"]) for l in loads]
                    + ["AWS quota; Basic Ingest assumed to count"])
        rows.append(["IoT rule evaluations/s, broker topic: 2 rules listen (20,000)"] + [cell(2 * l, lim["iot_rule_evaluations_per_s"]) for l in loads]
                    + ["AWS quota; `TelemetryIngest=basic` halves it (1 rule)"])
        rows.append(["IoT connections per account (500,000)"] + [cell(n, lim["iot_connections"]) for n in devices] + ["AWS quota"])
        rows.append(["Whole fleet reconnecting at 500 connects/s"] + [f"{n / lim['iot_connects_per_s']:,.0f} s" for n in devices] + ["AWS quota"])
        for label, k in ((f"default batch {batch_default}, no window", batch_default), (f"throughput profile, batch {throughput_batch}, 5 s window", throughput_batch)):
            ms = model.ingest_ms(k)
            needs = [l / k * ms / 1000 for l in loads]
            drains = [c * k / ms * 1000 for c in (max_conc_default, max_conc_ceiling)]
            rows.append([f"Ingest concurrency, {label} ({ms:.0f} ms an invocation; {max_conc_default} drain {drains[0]:,.0f} msg/s, "
                         f"{max_conc_ceiling:,} drain {drains[1]:,.0f}): needed vs `IngestMaxConcurrency` {max_conc_default}"]
                        + [cell(c, max_conc_default) for c in needs] + [f"`IngestMaxConcurrency` (2-{max_conc_ceiling:,}), `IngestBatchSize`, `IngestBatchingWindowSeconds`"])
            rows.append([f"↳ the same vs account concurrency ({lim['lambda_account_concurrency']:,}) and the event source's 1,000 batches"]
                        + [cell(c, min(lim["lambda_account_concurrency"], lim["lambda_sqs_max_concurrent_batches"])) for c in needs]
                        + ["AWS quota (account); 1,000 batches is fixed"])
            rows.append([f"↳ minutes to scale there from 5 at +300 a minute"]
                        + [f"{max(0.0, (min(c, max_conc_ceiling) - 5) / lim['lambda_sqs_scale_per_minute']):.1f}" for c in needs] + ["fixed (AWS)"])
            rows.append([f"↳ Waylay requests/s ({label})"] + [cell(l / k * math.ceil(k / 100), None) for l in loads]
                        + ["no documented Waylay limit; at most 4 x `IngestMaxConcurrency` at once"])
        default_ms = model.ingest_ms(batch_default)
        rows.append(["IngestQueue in-flight messages (120,000 per standard queue)"] + [cell(l * default_ms / 1000, lim["sqs_standard_in_flight"]) for l in loads]
                    + ["fixed; SQS standard throughput itself is practically unlimited"])
        out += [f"**One message per device every {interval} s**", ""] + table(header, rows, right=set(range(1, len(devices) + 1))) + [""]

    rate, burst = t.http_api_throttle()
    per_hour = value(model.inputs["scale"]["commands_per_device_per_hour"])
    header = ["Commands limit (default)"] + [f"{n:,} devices: {n * per_hour / 3600:,.1f} commands/s" for n in devices] + ["Moved by"]
    loads = [n * per_hour / 3600 for n in devices]
    rows = [
        [f"Command API route throttle ({rate}/s, burst {burst})"] + [cell(l, rate) for l in loads]
        + ["hard-coded in the template (`CommandApi` `DefaultRouteSettings`): no parameter yet"],
        [f"API Gateway account throttle ({lim['http_api_account_rps']:,}/s)"] + [cell(l, lim["http_api_account_rps"]) for l in loads] + ["AWS quota"],
        [f"command-api concurrency ({model.api_ms():.0f} ms a request)"] + [cell(l * model.api_ms() / 1000, lim["lambda_account_concurrency"]) for l in loads]
        + ["account concurrency (AWS quota)"],
        [f"CommandQueue.fifo sends/s (high throughput, {lim['sqs_fifo_high_throughput_tps']:,} per action)"] + [cell(l, lim["sqs_fifo_high_throughput_tps"]) for l in loads]
        + ["fixed; one device's commands are one message group"],
        [f"publisher concurrency, one command an invocation ({model.publisher_ms(1):.0f} ms)"] + [cell(l * model.publisher_ms(1) / 1000, lim["lambda_account_concurrency"]) for l in loads]
        + ["account concurrency; no `MaximumConcurrency` on this event source"],
        ["IoT inbound publishes/s from the publisher (shares the 20,000 with telemetry)"] + [cell(l, lim["iot_inbound_publish_per_s"]) for l in loads] + ["AWS quota"],
        ["IoT inbound publishes/s of device acks (shares the 20,000; one rule, CommandAckRule, evaluates each)"]
        + [cell(l * value(model.inputs["commands"]["acks_per_command"]), lim["iot_inbound_publish_per_s"]) for l in loads] + ["AWS quota"],
        ["IngestQueue sends/s of the status flow (publisher statuses + acks; standard queue, no practical limit)"]
        + [cell(l * (value(model.inputs["commands"]["status_messages_per_command"]) + value(model.inputs["commands"]["acks_per_command"])), None) for l in loads]
        + ["fixed; added to the telemetry Ingest drains"],
    ]
    out += [f"**Commands: {per_hour} per device an hour**", ""] + table(header, rows, right=set(range(1, len(devices) + 1)))
    return out


def render() -> str:
    prices_doc = load("prices.json")
    inputs = load("inputs.json")
    limits = load("limits.json")
    template = Template(REPOSITORY / "serverless.template")
    model = Model(Prices(prices_doc), inputs, template)
    lines: list[str] = []
    lines += ["### Telemetry: cost per million messages", ""] + telemetry_section(model) + [""]
    lines += ["### Commands: cost per million commands", ""] + command_section(model) + [""]
    lines += ["### Fixed monthly costs (not per message)", ""] + fixed_section(model, limits) + [""]
    lines += ["### Where scale stops", ""] + scale_section(model, limits) + [""]
    lines += ["### Inputs", ""] + input_list(inputs, template) + [""]
    lines += ["### Price list", ""] + price_list(prices_doc) + [""]
    lines += ["### Limits", ""] + table(["Limit", "Default", "How it moves", "Source"],
                                        [[k, "–" if v["value"] is None else f"{v['value']:,}", v["raise"], v["source"]] for k, v in limits["limits"].items()],
                                        right={1})
    return "\n".join(lines) + "\n"


def check(doc: Path, output: str) -> int:
    text = doc.read_text(encoding="utf-8")
    if BEGIN not in text or END not in text:
        print(f"{doc}: no '{BEGIN}' ... '{END}' block", file=sys.stderr)
        return 1
    quoted = text.split(BEGIN, 1)[1].split(END, 1)[0].strip("\n") + "\n"
    if quoted != output:
        print(f"{doc} does not quote the current output of {Path(__file__).name}; regenerate it", file=sys.stderr)
        return 1
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", type=Path, help="exit 1 unless this Markdown file quotes the output between the capacity.py markers")
    args = parser.parse_args()
    output = render()
    if args.check:
        return check(args.check, output)
    sys.stdout.write(output)
    return 0


if __name__ == "__main__":
    sys.exit(main())
