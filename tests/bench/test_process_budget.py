"""CPU budgets from /proc readings: new processes count in full, shared ones lose their idle rate."""

from __future__ import annotations

import os

from bench.process_budget import BudgetSample, GroupCpu, parse_status_field, proc_status_field, used_s
from bench.servers import TICKS_PER_SECOND

STATUS = "Name:\tgunicorn\nPPid:\t4242\nVmPeak:\t  120000 kB\nVmRSS:\t   98304 kB\n"


def test_a_status_field_is_read_by_its_exact_name_in_kib() -> None:
    assert parse_status_field(STATUS, "VmRSS") == 98304
    assert parse_status_field(STATUS, "PPid") == 4242
    assert parse_status_field(STATUS, "VmSwap") == 0


def test_this_process_has_a_resident_set_and_a_gone_one_has_none() -> None:
    assert proc_status_field(os.getpid(), "VmRSS") > 0
    assert proc_status_field(2**22 + 1, "VmRSS") == 0


def test_a_process_first_seen_at_the_end_counts_in_full_and_one_gone_counts_nothing() -> None:
    before = {1: 100, 2: 50}
    after = {1: 100 + TICKS_PER_SECOND, 3: TICKS_PER_SECOND // 2}
    assert used_s(before, after) == 1.5


def test_a_shared_process_is_charged_only_what_it_used_over_its_idle_rate() -> None:
    assert GroupCpu(busy_s=3.0, idle_per_s=0.1).net_s(window_s=10.0) == 2.0
    assert GroupCpu(busy_s=0.5, idle_per_s=0.1).net_s(window_s=10.0) == 0.0


def test_the_budget_of_one_request_is_milliseconds_per_request_summed_over_groups() -> None:
    sample = BudgetSample(10.0, 1000, {"api": GroupCpu(2.0), "broker": GroupCpu(1.5, idle_per_s=0.1)})
    assert sample.ms_per_request("api") == 2.0
    assert sample.ms_per_request("broker") == 0.5
    assert sample.total_ms_per_request() == 2.5
