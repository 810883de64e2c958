"""What each procedure needs from the rules, so that a profile's gaps show before a citizen meets them.

A procedure app (complaints, and the ones to come) registers one `ProcedureRules` when it loads:
the rule domain it runs on, the keys it cannot run without, and every key its code reads. From
these the rules app answers, knowing no procedure itself:
  - whether an agency's rules switch the procedure on (a local layer states rules of its domain)
    and, if so, whether it can run (every needed key resolves, from a local or the national layer);
  - `jiandu rules check`: every shipped profile, composed on the national layer, either leaves a
    procedure off or can run it;
  - `jiandu rules keys`: which rules no procedure reads yet (a test keeps `reads` true to the code).
"""

from __future__ import annotations

from dataclasses import dataclass

from jiandu.core.errors import ServiceError

from .loader import Profile, catalogue


@dataclass(frozen=True)
class ProcedureRules:
    """One procedure's demands on the rules."""

    code: str
    label: str
    domain: str
    needs: tuple[str, ...]
    reads: tuple[str, ...]

    def __post_init__(self) -> None:
        for key in (*self.needs, *self.reads):
            catalogue().check_key(key)

    def switched_on(self, profile: Profile) -> bool:
        """A local layer states rules of the procedure's domain: the agency runs it."""
        return bool(profile.local_keys(self.domain))

    def missing(self, profile: Profile) -> list[str]:
        """Needed keys no layer of the profile states."""
        return [key for key in self.needs if not profile.has(key)]

    def problems(self, profile: Profile) -> list[str]:
        """Why the profile switches the procedure on but cannot run it (empty when it can, or is off)."""
        if not self.switched_on(profile):
            return []
        cat = catalogue()
        return [
            f"{profile.code}：规定了{self.label}（{self.domain}.*），却没有规定“{cat.label(key)}”（{key}），"
            "本地规则和国家层均未规定，该程序无法办理"
            for key in self.missing(profile)
        ]

    def ensure_runs(self, profile: Profile, agency: object) -> None:
        """ServiceError (code procedure_off) when the agency's rules do not let it run the procedure."""
        if not self.switched_on(profile):
            raise ServiceError(
                f"{agency}适用的规则（{profile.name}）没有规定{self.label}的受理和办理，"
                f"本机关不在本平台办理{self.label}；请向其上级机关或行政执法监督机关反映。",
                code="procedure_off",
            )
        missing = self.missing(profile)
        if missing:
            raise ServiceError(
                f"{agency}适用的规则没有规定“{catalogue().label(missing[0])}”，暂不能办理{self.label}；"
                "请系统管理员补充规则配置（jiandu rules check 可查出此类问题）。",
                code="procedure_off",
            )


_REGISTRY: dict[str, ProcedureRules] = {}


def register(procedure: ProcedureRules) -> ProcedureRules:
    """Register a procedure's demands; registering the same code again replaces it (app reloads)."""
    _REGISTRY[procedure.code] = procedure
    return procedure


def registered() -> list[ProcedureRules]:
    """Every registered procedure, in registration order."""
    return list(_REGISTRY.values())


def readers() -> dict[str, list[str]]:
    """For each rule key, the procedures that read it."""
    found: dict[str, list[str]] = {}
    for procedure in registered():
        for key in procedure.reads:
            found.setdefault(key, []).append(procedure.label)
    return found
