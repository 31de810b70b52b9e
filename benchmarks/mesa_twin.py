"""The Mesa twin: the reduced configuration of ``twin_rules`` written the way a Mesa user would.

One ``Trader`` agent object per trade official, a ``QuotaModel`` holding companies as
plain dicts, activation by ``AgentSet.do``. It serves twice: as the speed peer of the
benchmark, and as an independent implementation whose aggregate outputs must agree with
quotasim's (tests/test_mesa_twin.py). It reads parameter *values* from a quotasim
scenario, never quotasim's code.
"""

from __future__ import annotations

import math
from collections import defaultdict

import mesa
import numpy as np

HALF = 6
BORDER, PYONGYANG = "border_city", "pyongyang"


class Trader(mesa.Agent):
    """A trade official: searches for deals, remits, learns, may be recalled."""

    def __init__(self, model: QuotaModel, company: int, effort: float, post: str = BORDER) -> None:
        super().__init__(model)
        self.company = company
        self.post = post
        self.skill = float(model.rng.lognormal(0.0, model.p.population.skill_sigma))
        self.effort = effort
        self.effort_in_force = effort
        self.capacity = model.expected_capacity(self)
        self.target = 0.0
        self.half_remitted = 0.0
        self.half_withheld = 0.0
        self.recall_belief = 0.0        # learned from the own post and company
        self.hold_at = math.inf         # attainment above which the surplus is kept
        self.attainment = 1.0
        self.tenure = 0
        self.active = True
        self.replaced = False

    # ---- monthly
    def search_and_trade(self) -> None:
        p, m = self.model.p, self.model
        self.tenure += 1
        self.effort_in_force = min(max(self.effort, 0.0), p.behaviour.max_effort)
        if m.rng.random() < min(p.posts.deal_rate * self.effort_in_force, 1.0):
            value = m.median_deal(self.post) * m.rng.lognormal(0.0, p.posts.deal_sd) * self.skill
            earned = value * p.posts.margin
            remitted = earned * p.quota.remit_share
            if self.hold_at < math.inf:
                room = max(self.hold_at * self.target - self.half_remitted, 0.0)
                self.half_withheld += max(remitted - room, 0.0)
                remitted = min(remitted, room)
            self.half_remitted += remitted
            m.month_remitted += remitted

    # ---- at reviews
    def judge(self, company_attainment: float) -> None:
        self.attainment = self.half_remitted / self.target if self.target >= 1.0 else company_attainment

    def face_goal_recall(self) -> None:
        p, m = self.model.p, self.model
        if self.post == BORDER and self.attainment >= p.goal_recall.attainment:
            m.high_performers += 1
            m.seen("high", self)
            if m.rng.random() < p.goal_recall.probability:
                m.seen("hit", self)
                if m.rng.random() < p.goal_recall.relocate_share:
                    self.post = PYONGYANG
                    m.relocated += 1
                else:
                    self.active = False
                    m.recalled += 1

    def learn_capacity(self) -> None:
        if self.tenure >= 6 and self.effort_in_force > 0.05:
            self.capacity = 0.5 * self.capacity + 0.5 * (self.half_remitted + self.half_withheld) / self.effort_in_force

    def learn_recall_belief(self) -> None:
        m = self.model
        high = m.tally["high", "post", self.post] + m.tally["high", "company", self.company]
        if high > 0:
            hit = m.tally["hit", "post", self.post] + m.tally["hit", "company", self.company]
            memory = m.p.behaviour.risk_memory
            self.recall_belief = (1 - memory) * self.recall_belief + memory * hit / high

    def choose_hand_in(self) -> None:
        """Keep the surplus over the target when the believed recall risk outweighs the praise."""
        b, goal = self.model.p.behaviour, self.model.p.goal_recall.attainment
        self.hold_at = math.inf
        if self.post != BORDER or self.target < 1.0:
            return
        expected = max(min(self.effort, b.max_effort) * self.capacity / self.target, goal)
        surplus = expected - 1.0 - b.hold_margin
        if surplus <= 0:
            return
        reach = min((expected - 1.0) / max(goal - 1.0, 1e-9), 1.0)
        if surplus > b.praise_value * surplus - self.recall_belief * b.recall_loss * reach:
            self.hold_at = 1.0 + b.hold_margin

    def choose_effort(self) -> None:
        b = self.model.p.behaviour
        options = [min(max(self.effort + shift, 0.0), b.max_effort) for shift in (-b.learning_step, 0.0, b.learning_step)]
        scores = [self.model.expected_payoff(self, e) for e in options]
        best = options[int(np.argmax(scores))]
        self.effort = min(max(best + self.model.rng.normal(0.0, b.exploration_sd), 0.0), b.max_effort)


class QuotaModel(mesa.Model):
    """Companies under half-year quotas with an upward ratchet; traders as agents."""

    def __init__(self, scenario, seed: int = 0) -> None:
        super().__init__(rng=seed)
        self.p = p = scenario
        self.months_run = 0
        start_month = int(p.start[5:7])
        self.review_months = {m for m in range(p.months) if (start_month - 1 + m) % 12 + 1 in (6, 12)}
        self.tally: dict = defaultdict(float)
        n_companies = p.population.n_companies
        self.companies = [{"quota": 0.0} for _ in range(n_companies)]
        for _ in range(p.population.n_trade_officials):
            effort = max(self.rng.normal(p.population.effort_mean, p.population.effort_sd), 0.0)
            Trader(self, int(self.rng.integers(n_companies)), effort)
        for company in range(n_companies):
            self.companies[company]["quota"] = p.quota.initial_ratio * sum(
                a.capacity for a in self.agents if a.company == company)
        self.history: list[dict] = []
        self.reviews: list[dict] = []

    # ---- rules shared by agents
    def median_deal(self, post: str) -> float:
        return self.p.posts.border_deal_usd if post == BORDER else self.p.posts.other_deal_usd

    def expected_capacity(self, trader: Trader) -> float:
        p = self.p.posts
        monthly = min(p.deal_rate, 1.0) * self.median_deal(trader.post) * math.exp(p.deal_sd ** 2 / 2) \
            * trader.skill * p.margin
        return HALF * self.p.quota.remit_share * monthly

    def seen(self, what: str, trader: Trader) -> None:
        """What the traders of a post and of a company saw this half: those over the goal, those recalled."""
        self.tally[what, "post", trader.post] += 1
        self.tally[what, "company", trader.company] += 1

    def expected_payoff(self, trader: Trader, effort: float) -> float:
        b, rho = self.p.behaviour, self.p.quota.remit_share
        attainment = effort * trader.capacity / trader.target if trader.target >= 1.0 else effort
        score = attainment * (1 - rho) / rho - b.effort_cost * effort ** 2
        if trader.post == BORDER and attainment >= self.p.goal_recall.attainment and trader.hold_at == math.inf:
            score -= trader.recall_belief * b.recall_loss
        return score

    def active_traders(self) -> list[Trader]:
        return [a for a in self.agents if a.active]

    def assign_targets(self) -> None:
        totals = [0.0] * len(self.companies)
        active = self.active_traders()
        for a in active:
            totals[a.company] += max(a.capacity, 1e-9)
        for a in active:
            share = max(a.capacity, 1e-9) / totals[a.company]
            a.target = self.companies[a.company]["quota"] * share

    # ---- the month
    def step(self) -> None:
        self.month_remitted = 0.0
        self.high_performers = self.recalled = self.relocated = 0
        self.assign_targets()
        self.agents.select(lambda a: a.active).do("search_and_trade")
        if self.months_run in self.review_months:
            self.review()
        self.refill()
        self.history.append({"month": self.months_run, "remitted_usd": self.month_remitted,
                             "recalled": self.recalled, "relocated": self.relocated,
                             "officials_active": len(self.active_traders())})
        self.months_run += 1

    def review(self) -> None:
        active = self.active_traders()
        results = [0.0] * len(self.companies)
        for a in active:
            results[a.company] += a.half_remitted
        attainment = [r / c["quota"] if c["quota"] >= 1.0 else 1.0 for r, c in zip(results, self.companies)]
        self.reviews.extend({"month": self.months_run, "company": i, "attainment": att} for i, att in enumerate(attainment))
        for a in active:
            a.judge(attainment[a.company])
        for a in active:
            a.face_goal_recall()
        for a in active:
            if a.active:
                a.learn_capacity()
        for a in self.active_traders():
            a.learn_recall_belief()
        for a in self.active_traders():
            a.choose_effort()
        for a in self.active_traders():
            a.choose_hand_in()
        up = self.p.ratchet.up_rate
        for company, result in zip(self.companies, results):
            company["quota"] = max(company["quota"] + up * max(result - company["quota"], 0.0), 0.0)
        for a in self.agents:
            a.half_remitted = a.half_withheld = 0.0
        self.tally.clear()
        self.assign_targets()

    def refill(self) -> None:
        vacant = [a for a in self.agents if not a.active and not a.replaced]
        chosen = [a for a in vacant if self.rng.random() < self.p.population.refill_rate]
        serving = self.active_traders()
        for old in chosen:
            old.replaced = True
            effort = serving[int(self.rng.integers(len(serving)))].effort if serving else 1.0
            Trader(self, old.company, effort, post=old.post)


def run_twin(scenario, seed: int = 0) -> QuotaModel:
    """Run the twin for ``scenario.months`` months."""
    model = QuotaModel(scenario, seed=seed)
    for _ in range(scenario.months):
        model.step()
    return model
