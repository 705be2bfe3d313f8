/** The page's two languages: zh-CN by default, English on request (the choice is remembered). */
export type Lang = "zh-CN" | "en";

const zh = {
  title: "到账查询",
  signOut: "退出",
  switchTo: "English",
  signInTitle: "登录",
  phoneLabel: "手机号（商户资料中的号码）",
  sendCode: "获取验证码",
  codeTitle: "输入验证码",
  codeHint: "如果该号码已登记，验证码已通过短信发送，5 分钟内有效。",
  codeLabel: "6 位验证码",
  verify: "登录",
  changePhone: "换一个号码",
  tabLookup: "到账了吗？",
  tabOutstanding: "待到账",
  amountLabel: "金额",
  timeLabel: "时间（可选）",
  withinLabel: "前后范围（分钟）",
  timeHint: "不填时间 = 最近 30 分钟。",
  orderLabel: "订单号末几位（可选）",
  check: "查询",
  outstandingTitle: "待到账与逾期",
  arrivedTitle: "最近到账",
  footer: "settlewatch · 只显示收单机构已确认的付款",
  loading: "加载中…",
  codeSent: "已提交。如果号码已登记，请查看短信。",
  signedIn: "已登录。",
  signedOut: "已退出。",
  sessionOver: "登录已过期，请重新登录。",
  badPhone: "请输入手机号。",
  badCode: "请输入 6 位数字验证码。",
  codeRefused: "验证码不正确或已过期。",
  tooMany: "尝试次数过多，请稍后再试。",
  badAmount: "请输入金额，例如 128.50。",
  badOrder: "订单号末几位只能包含字母和数字。",
  failed: "暂时无法连接，请稍后再试。",
  confirmedTitle: "已确认收款",
  confirmedCount: "找到 {n} 笔相符的已确认付款。",
  noneTitle: "没有找到这笔付款",
  noneBody: "{window}内没有金额为 {amount} 的已确认付款。",
  noneAdvice: "不要只凭顾客手机上的付款截图交货。",
  windowLast: "最近 {m} 分钟",
  windowAround: "{time} 前后 {m} 分钟",
  time: "时间",
  channel: "渠道",
  reference: "参考号",
  order: "订单号",
  expectedBy: "预计到账",
  dueBy: "应到账",
  noOutstanding: "没有待到账的付款。",
  noArrived: "最近没有到账记录。",
  status_PENDING: "待到账",
  status_SETTLED: "已到账",
  status_OVERDUE: "已逾期",
  status_SETTLED_LATE: "已到账（延迟）",
  status_REVERSED: "已撤销",
  status_REFUNDED: "已退款",
  status_MISMATCH: "金额不符",
  status_RECORDED: "已记录",
  channel_wechat: "微信支付",
  channel_alipay: "支付宝",
  channel_unionpay: "银联",
  channel_card: "银行卡",
  channel_qr: "扫码",
  platformAsk: "收单机构还没有确认？可以用完整订单号直接向支付平台查询。",
  platformOrderLabel: "完整订单号（商户订单号）",
  platformCheckWith: "向{platform}查询",
  platformPaid: "{platform}：已支付",
  platformPaidBody: "{platform}确认订单 {order} 已支付 {amount}。收单机构的确认稍后会到。",
  platformNotPaid: "{platform}：未支付",
  platformNotPaidBody: "{platform}显示订单 {order} 未支付（{state}）。",
  platformNoOrder: "{platform}没有这个订单号。",
  platformUnknown: "无法向{platform}核实",
  platformUnknownBody: "没有得到可信的答复，请稍后再试。不要只凭截图交货。",
  badOrderNo: "请输入完整订单号（字母和数字）。",
};

export type TextKey = keyof typeof zh;

const en: Record<TextKey, string> = {
  title: "Did it arrive?",
  signOut: "Sign out",
  switchTo: "中文",
  signInTitle: "Sign in",
  phoneLabel: "Mobile number (the one on your merchant profile)",
  sendCode: "Send code",
  codeTitle: "Enter the code",
  codeHint: "If this number is registered, a code is on its way by SMS. It is valid for 5 minutes.",
  codeLabel: "6-digit code",
  verify: "Sign in",
  changePhone: "Use another number",
  tabLookup: "Did it arrive?",
  tabOutstanding: "Outstanding",
  amountLabel: "Amount",
  timeLabel: "Time (optional)",
  withinLabel: "Within (minutes)",
  timeHint: "No time = the last 30 minutes.",
  orderLabel: "Last digits of the order number (optional)",
  check: "Check",
  outstandingTitle: "Pending and overdue",
  arrivedTitle: "Recently arrived",
  footer: "settlewatch · shows only payments the acquirer confirmed",
  loading: "Loading…",
  codeSent: "Sent. If the number is registered, check your SMS.",
  signedIn: "Signed in.",
  signedOut: "Signed out.",
  sessionOver: "Your session has ended. Please sign in again.",
  badPhone: "Enter your mobile number.",
  badCode: "Enter the 6-digit code.",
  codeRefused: "The code is wrong or has expired.",
  tooMany: "Too many tries. Please wait and try again.",
  badAmount: "Enter an amount, e.g. 128.50.",
  badOrder: "The order number's last digits may only hold letters and digits.",
  failed: "Cannot reach settlewatch right now. Please try again.",
  confirmedTitle: "Payment confirmed",
  confirmedCount: "{n} confirmed payment(s) match.",
  noneTitle: "No such payment",
  noneBody: "No confirmed payment of {amount} in {window}.",
  noneAdvice: "Do not hand over the goods on a screenshot alone.",
  windowLast: "the last {m} minutes",
  windowAround: "{m} minutes around {time}",
  time: "Time",
  channel: "Channel",
  reference: "Reference",
  order: "Order",
  expectedBy: "Expected by",
  dueBy: "Due by",
  noOutstanding: "Nothing outstanding.",
  noArrived: "Nothing arrived recently.",
  status_PENDING: "Pending",
  status_SETTLED: "Arrived",
  status_OVERDUE: "Overdue",
  status_SETTLED_LATE: "Arrived late",
  status_REVERSED: "Voided",
  status_REFUNDED: "Refunded",
  status_MISMATCH: "Amount mismatch",
  status_RECORDED: "Recorded",
  channel_wechat: "WeChat Pay",
  channel_alipay: "Alipay",
  channel_unionpay: "UnionPay",
  channel_card: "Card",
  channel_qr: "QR code",
  platformAsk: "Not confirmed by the acquirer yet? Ask the payment platform with the full order number.",
  platformOrderLabel: "Full order number (merchant order no.)",
  platformCheckWith: "Check with {platform}",
  platformPaid: "{platform}: paid",
  platformPaidBody:
    "{platform} confirms order {order} paid {amount}. The acquirer's confirmation will follow.",
  platformNotPaid: "{platform}: not paid",
  platformNotPaidBody: "{platform} says order {order} is not paid ({state}).",
  platformNoOrder: "{platform} has no order with this number.",
  platformUnknown: "Could not check with {platform}",
  platformUnknownBody:
    "No trustworthy answer came back; try again shortly. Do not hand over goods on a screenshot alone.",
  badOrderNo: "Enter the full order number (letters and digits).",
};

const TEXTS: Record<Lang, Record<TextKey, string>> = { "zh-CN": zh, en };
const STORAGE_KEY = "settlewatch.lang";

export function storedLang(): Lang {
  try {
    return localStorage.getItem(STORAGE_KEY) === "en" ? "en" : "zh-CN";
  } catch {
    return "zh-CN"; // storage blocked (private mode): the default
  }
}

export function rememberLang(lang: Lang): void {
  try {
    localStorage.setItem(STORAGE_KEY, lang);
  } catch {
    // not remembered; the page still switches
  }
}

/** The text of `key` in `lang`, with {name} placeholders filled (values are plain text, never HTML). */
export function t(lang: Lang, key: TextKey, values: Record<string, string | number> = {}): string {
  return TEXTS[lang][key].replace(/\{(\w+)\}/g, (whole, name: string) =>
    name in values ? String(values[name]) : whole,
  );
}

/** A key of the table when it has one (statuses, channels), else undefined. */
export function knownKey(key: string): TextKey | undefined {
  return Object.hasOwn(zh, key) ? (key as TextKey) : undefined;
}

/** Puts every `data-t` element's text in `lang` and sets the document's language. */
export function applyLang(lang: Lang): void {
  document.documentElement.lang = lang;
  document.title = `${t(lang, "title")} · settlewatch`;
  for (const element of document.querySelectorAll<HTMLElement>("[data-t]")) {
    const key = knownKey(element.dataset.t ?? "");
    if (key) element.textContent = t(lang, key);
  }
}
