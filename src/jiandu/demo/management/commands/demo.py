"""`jiandu demo`: load the demo district (`jiandu/demo/demo.yaml`, a scenario file) once and print
the demo sign-ins."""

from django.core.management.base import BaseCommand, CommandError

from jiandu.demo.loader import DEMO_PASSWORD, DemoNotLoaded, demo_logins, demo_scenario, load_demo
from jiandu.procedures.scenarios.spec import ScenarioError


class Command(BaseCommand):
    help = "Load the demo district (idempotent) and print its sign-ins."

    def handle(self, *args, **options) -> None:
        try:
            scenario = demo_scenario()
        except ScenarioError as exc:  # the shipped file no longer reads (a step or input renamed)
            raise CommandError("\n".join(exc.problems)) from None
        try:
            created = load_demo(matters=True, scenario=scenario)
        except DemoNotLoaded as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write("示范数据已载入。" if created else "示范数据已存在，未重复载入。")
        self.stdout.write(f"\n演示账号（密码均为 {DEMO_PASSWORD}）：")
        for login in demo_logins(scenario):
            self.stdout.write(
                f"  {login.username:<12} {login.full_name:<6} {login.agency:<16} {login.unit:<8} "
                f"{'、'.join(login.roles)}"
            )
        self.stdout.write(
            "\n公众入口 /（投诉举报、查询进度）；工作人员在 /login/ 登录，在 /work/ 办理；"
            "系统管理 /admin/（admin）；API 文档 /api/docs/。服务地址见下方 runserver 的提示。"
        )
