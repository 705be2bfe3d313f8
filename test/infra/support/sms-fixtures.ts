/** Alibaba Cloud SMS settings of a test deployment: every notice template and the sign-in code registered. */
export const ALIYUN_TEST_SETTINGS = {
  signName: "结算提醒",
  secretName: "settlewatch/cn-test/aliyun-sms",
  templateCodes: {
    "zh-CN": {
      overdue: "SMS_1",
      escalation: "SMS_2",
      "arrived.one": "SMS_3",
      "arrived.other": "SMS_4",
      "sign-in-code": "SMS_5",
    },
    en: {
      "overdue.one": "SMS_11",
      "overdue.other": "SMS_12",
      "escalation.one": "SMS_13",
      "escalation.other": "SMS_14",
      "arrived.one": "SMS_15",
      "arrived.other": "SMS_16",
      "sign-in-code": "SMS_17",
    },
  },
};
