"""Every word the dashboard and the report show, in Chinese and English.

The queries return codes (actions, colours, venue types, facets); only this module turns
them into words. Action texts follow spec section 6, venue types section 8."""

from __future__ import annotations

LANGS = ("zh", "en")

UI: dict[str, tuple[str, str]] = {
    "title": ("健康码核验监测平台", "Health-code checkpoint dashboard"),
    "province": ("山西省", "Shanxi Province"),
    "login": ("登录", "Log in"),
    "logout": ("退出", "Log out"),
    "username": ("用户名", "User name"),
    "password": ("密码", "Password"),
    "login_failed": ("用户名或密码错误", "Wrong user name or password"),
    "login_throttled": ("尝试次数过多，请10分钟后再试", "Too many attempts; try again in 10 minutes"),
    "session_ended": ("会话已结束，请重新登录", "Your session ended; please log in again"),
    "overview": ("概览", "Overview"),
    "fleet": ("设备状态", "Checkpoints"),
    "report": ("通报", "Report"),
    "operations": ("运维", "Operations"),
    "period": ("统计期间", "Period"),
    "from": ("起", "From"),
    "to": ("止", "To"),
    "show": ("查询", "Show"),
    "scans": ("核验人次", "Scans"),
    "green": ("绿码", "Green"),
    "yellow": ("黄码", "Yellow"),
    "red": ("红码", "Red"),
    "none": ("无效/无码", "No valid code"),
    "refused": ("劝阻人次", "Refused"),
    "fevers": ("体温异常", "Fevers"),
    "id_lookups": ("无手机查询", "No-phone lookups"),
    "manual": ("人工登记", "Manual records"),
    "rank": ("排名", "Rank"),
    "city": ("市", "City"),
    "county": ("县（市、区）", "County"),
    "area": ("地区", "Area"),
    "cities_ranked": ("各市排名", "Cities ranked"),
    "counties_ranked": ("各县（市、区）排名", "Counties ranked"),
    "per_day": ("按日", "Per day"),
    "per_hour": ("按小时", "Per hour"),
    "day": ("日期", "Day"),
    "hour": ("时", "Hour"),
    "trend": ("趋势", "Trend"),
    "refusals_by_action": ("按处置方式的劝阻", "Refusals by action"),
    "action": ("处置", "Action"),
    "count": ("次数", "Count"),
    "other_region": ("其他/未知地区", "Other or unknown region"),
    "checkpoints": ("核验点", "Checkpoints"),
    "offline": ("离线超过1小时", "Not seen for over an hour"),
    "offline_short": ("离线", "Offline"),
    "never_seen": ("从未连接", "Never seen"),
    "online": ("在线", "Online"),
    "checkpoint": ("核验点编号", "Checkpoint"),
    "venue": ("场所", "Venue"),
    "venue_type": ("场所类型", "Venue type"),
    "version": ("程序版本", "App version"),
    "last_seen": ("最近联系", "Last seen"),
    "last_sync": ("最近同步", "Last sync"),
    "last_upload": ("最近上传", "Last upload"),
    "clock": ("时钟偏差", "Clock offset"),
    "waiting": ("待上传", "Waiting"),
    "never": ("从未", "never"),
    "offline_per_city": ("各市离线核验点", "Offline checkpoints per city"),
    "all_cities": ("全部", "All"),
    "only_offline": ("只看离线", "Offline only"),
    "download_pdf": ("下载PDF", "Download PDF"),
    "report_title": ("山西省健康码使用情况通报", "Shanxi health-code usage report"),
    "report_intro": ("统计期间：{first} 至 {last}。数据来自各核验点上传的核验记录。",
                     "Period: {first} to {last}. From the scan records the checkpoints uploaded."),
    "report_generated": ("生成时间：{at}", "Generated: {at}"),
    "offline_list": ("离线核验点清单", "Offline checkpoints"),
    "and_more": ("另有 {n} 个", "and {n} more"),
    "none_offline": ("无离线核验点", "No checkpoint offline"),
    "register": ("批量注册核验点", "Register checkpoints"),
    "register_help": ("上传CSV（列：checkpoint_id, venue_id, venue_type）。提交后下载令牌表；令牌只显示这一次。"
                      "已注册的核验点保留原令牌。",
                      "Upload a CSV (columns checkpoint_id, venue_id, venue_type). Submitting downloads the token "
                      "sheet; the tokens are shown this once. Checkpoints registered before keep their token."),
    "statuses": ("批量导入状态", "Import statuses"),
    "statuses_help": ("上传CSV（列：hid 或 id_number, color, reasons, effective_at）。整个文件校验通过后才会导入。",
                      "Upload a CSV (columns hid or id_number, color, reasons, effective_at). Nothing is imported "
                      "unless the whole file is valid."),
    "revoke": ("吊销核验点令牌", "Revoke a checkpoint's token"),
    "revoke_help": ("吊销后该核验点的请求将被拒绝；其记录保留。重新注册可获得新令牌。",
                    "Its requests are refused from now on; its records stay. Registering it again gives a new token."),
    "revoked": ("已吊销", "Revoked"),
    "file": ("文件", "File"),
    "submit": ("提交", "Submit"),
    "done_statuses": ("已导入 {n} 条状态，最新序号 {seq}", "{n} statuses imported; log head {seq}"),
    "done_revoke": ("核验点 {cid} 的令牌已吊销", "The token of checkpoint {cid} is revoked"),
    "not_registered": ("核验点 {cid} 未注册", "Checkpoint {cid} is not registered"),
    "bad_request": ("请求无效", "Bad request"),
    "csrf_failed": ("表单已过期，请刷新页面后重试", "The form expired; reload the page and try again"),
    "page": ("页", "Page"),
    "prev": ("上一页", "Previous"),
    "next": ("下一页", "Next"),
    "lang_other": ("English", "中文"),
    "fever": ("发热", "Fever"),
    "no_data": ("无数据", "No data"),
    "share_red_yellow": ("红黄码占比", "Red and yellow share"),
    "other_actions": ("其他处置（策略未列）", "Other actions (not in our policy)"),
}

ACTIONS: dict[str, tuple[str, str]] = {
    "pass": ("准予通行", "Entry permitted"),
    "invalid_code": ("拒绝：请出示有效健康码", "Refused: show a valid health code"),
    "hospital_transfer": ("立即送定点医院", "Send to the designated hospital now"),
    "turn_back_isolation": ("劝返，集中或居家隔离", "Turn back: isolation"),
    "home_isolation": ("14天居家隔离医学观察", "14 days of home medical observation"),
    "cannot_verify": ("无法核验，请人工核验", "Cannot verify; check by hand"),
    "measure_temperature": ("请测量体温", "Take temperature"),
    "fever_referral": ("体温异常：送发热门诊", "Fever: refer to a fever clinic"),
    "wear_mask": ("请佩戴口罩", "Put on a mask"),
    "manual_entry": ("人工登记", "Manual record"),
}

VENUE_TYPES: dict[str, tuple[str, str]] = {
    "government": ("政府机关", "Government"), "enterprise": ("企业", "Enterprise"), "factory": ("工厂", "Factory"),
    "office_building": ("写字楼", "Office building"), "hospital": ("医院", "Hospital"),
    "residential": ("住宅小区", "Residential"), "village": ("村", "Village"),
    "railway_station": ("火车站", "Railway station"), "bus_station": ("汽车站", "Bus station"),
    "airport": ("机场", "Airport"), "mall": ("商场", "Mall"), "supermarket": ("超市", "Supermarket"),
    "hotel": ("酒店", "Hotel"), "restaurant": ("餐馆", "Restaurant"), "park": ("公园", "Park"),
    "scenic_spot": ("景区", "Scenic spot"), "public_transport": ("公共交通", "Public transport"),
}


def pick(table: dict[str, tuple[str, str]], key: str, lang: str) -> str:
    pair = table.get(key)
    if pair is None:
        return key
    return pair[1] if lang == "en" else pair[0]


def ui(key: str, lang: str, **values: object) -> str:
    text = pick(UI, key, lang)
    return text.format(**values) if values else text


def action(code: str, lang: str) -> str:
    if code == "other":  # queries.OTHER_ACTION: actions no policy of ours names
        return ui("other_actions", lang)
    return pick(ACTIONS, code, lang)


def venue_type(code: str | None, lang: str) -> str:
    return pick(VENUE_TYPES, code or "", lang) if code else ""


def lang_of(value: str | None) -> str:
    return value if value in LANGS else "zh"
