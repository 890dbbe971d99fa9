//! The payment services MaldoPay's PHP SDK knows (`SDK/Services/*.php` at ce5aab4, 2022-08-08;
//! `shared/specs/maldopay/maldopay-sdk-service-catalog.json`): service id, whether it is a DEPOSIT
//! or WITHDRAW service, and the `codeId` the SDK expects on a successful creation.

use super::state::TxType;

/// One payment service.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Service {
    /// `serviceId`.
    pub service_id: u32,
    /// The SDK class name.
    pub name: &'static str,
    /// DEPOSIT or WITHDRAW.
    pub kind: TxType,
    /// The `codeId` a successful creation answers with (2xx = done, 3xx = pending).
    pub creation_code: u32,
}

/// Every service in the SDK catalog.
pub const SERVICES: &[Service] = &[
    Service {
        service_id: 2001,
        name: "PayKasa",
        kind: TxType::Deposit,
        creation_code: 203,
    },
    Service {
        service_id: 2002,
        name: "CepBank",
        kind: TxType::Deposit,
        creation_code: 301,
    },
    Service {
        service_id: 2005,
        name: "AstroPay",
        kind: TxType::Deposit,
        creation_code: 206,
    },
    Service {
        service_id: 2006,
        name: "BankDeposit",
        kind: TxType::Deposit,
        creation_code: 301,
    },
    Service {
        service_id: 2012,
        name: "BankWithdraw",
        kind: TxType::Withdraw,
        creation_code: 304,
    },
    Service {
        service_id: 2013,
        name: "InstantBanking",
        kind: TxType::Deposit,
        creation_code: 315,
    },
    Service {
        service_id: 2021,
        name: "CashixirVoucher",
        kind: TxType::Deposit,
        creation_code: 311,
    },
    Service {
        service_id: 2031,
        name: "MaldoPayCheckout",
        kind: TxType::Deposit,
        creation_code: 313,
    },
    Service {
        service_id: 2034,
        name: "CommunityBanking",
        kind: TxType::Deposit,
        creation_code: 309,
    },
    Service {
        service_id: 2036,
        name: "MaldoPayBanking",
        kind: TxType::Deposit,
        creation_code: 316,
    },
    Service {
        service_id: 2038,
        name: "EParaTR",
        kind: TxType::Deposit,
        creation_code: 321,
    },
    Service {
        service_id: 2040,
        name: "EParaTRWithdraw",
        kind: TxType::Withdraw,
        creation_code: 328,
    },
    Service {
        service_id: 2044,
        name: "AnindaPapara",
        kind: TxType::Deposit,
        creation_code: 315,
    },
    Service {
        service_id: 2047,
        name: "CryptoCurrencyFX",
        kind: TxType::Deposit,
        creation_code: 311,
    },
    Service {
        service_id: 2051,
        name: "Mkarekod",
        kind: TxType::Deposit,
        creation_code: 338,
    },
    Service {
        service_id: 2057,
        name: "CryptoCurrencyFXWithdraw",
        kind: TxType::Withdraw,
        creation_code: 311,
    },
    Service {
        service_id: 2059,
        name: "PaparaPay",
        kind: TxType::Deposit,
        creation_code: 3205900,
    },
    Service {
        service_id: 2061,
        name: "PiiUPayPapara",
        kind: TxType::Deposit,
        creation_code: 3206100,
    },
    Service {
        service_id: 2065,
        name: "PayKwik",
        kind: TxType::Deposit,
        creation_code: 311,
    },
    Service {
        service_id: 2066,
        name: "FaturaPay",
        kind: TxType::Deposit,
        creation_code: 3206600,
    },
    Service {
        service_id: 2067,
        name: "PayKwikWithdraw",
        kind: TxType::Withdraw,
        creation_code: 3206700,
    },
    Service {
        service_id: 2069,
        name: "AstroPayWithdraw",
        kind: TxType::Withdraw,
        creation_code: 311,
    },
    Service {
        service_id: 2070,
        name: "CMTCuzdan",
        kind: TxType::Deposit,
        creation_code: 300,
    },
    Service {
        service_id: 2071,
        name: "CMTCuzdanWithdraw",
        kind: TxType::Withdraw,
        creation_code: 315,
    },
    Service {
        service_id: 2072,
        name: "AnindaBankWithdraw",
        kind: TxType::Withdraw,
        creation_code: 311,
    },
    Service {
        service_id: 2073,
        name: "HemenOdeCC",
        kind: TxType::Deposit,
        creation_code: 320950,
    },
    Service {
        service_id: 2078,
        name: "PayFix",
        kind: TxType::Deposit,
        creation_code: 315,
    },
    Service {
        service_id: 2079,
        name: "PayFixWithdraw",
        kind: TxType::Withdraw,
        creation_code: 315,
    },
    Service {
        service_id: 2080,
        name: "RpnPay",
        kind: TxType::Deposit,
        creation_code: 311,
    },
    Service {
        service_id: 2081,
        name: "RpnPayWithdraw",
        kind: TxType::Withdraw,
        creation_code: 311,
    },
    Service {
        service_id: 2082,
        name: "PayGate",
        kind: TxType::Deposit,
        creation_code: 300,
    },
    Service {
        service_id: 2083,
        name: "ChinaUnionPay",
        kind: TxType::Deposit,
        creation_code: 311,
    },
    Service {
        service_id: 2084,
        name: "PayGateWithdraw",
        kind: TxType::Withdraw,
        creation_code: 315,
    },
    Service {
        service_id: 2085,
        name: "ChinaUnionPayWithdraw",
        kind: TxType::Withdraw,
        creation_code: 311,
    },
    Service {
        service_id: 2086,
        name: "MaldopayOpenBanking",
        kind: TxType::Deposit,
        creation_code: 311,
    },
    Service {
        service_id: 2087,
        name: "AliPay",
        kind: TxType::Deposit,
        creation_code: 311,
    },
    Service {
        service_id: 2088,
        name: "AliPayWithdraw",
        kind: TxType::Withdraw,
        creation_code: 311,
    },
    Service {
        service_id: 2091,
        name: "MaldopayOpenBankingWithdraw",
        kind: TxType::Withdraw,
        creation_code: 311,
    },
    Service {
        service_id: 2092,
        name: "PiiUPayPaparaQR",
        kind: TxType::Deposit,
        creation_code: 3209200,
    },
    Service {
        service_id: 2093,
        name: "MFTDeposit",
        kind: TxType::Deposit,
        creation_code: 320930,
    },
    Service {
        service_id: 2095,
        name: "MFTWithdraw",
        kind: TxType::Withdraw,
        creation_code: 320950,
    },
    Service {
        service_id: 2102,
        name: "PepDeposit",
        kind: TxType::Deposit,
        creation_code: 300,
    },
    Service {
        service_id: 2103,
        name: "PaystackAccountDeposit",
        kind: TxType::Deposit,
        creation_code: 311,
    },
    Service {
        service_id: 2104,
        name: "FlutterwaveBankDeposit",
        kind: TxType::Deposit,
        creation_code: 311,
    },
    Service {
        service_id: 2106,
        name: "FlutterwaveUssdDeposit",
        kind: TxType::Deposit,
        creation_code: 311,
    },
    Service {
        service_id: 2107,
        name: "FlutterwaveAccountWithdraw",
        kind: TxType::Withdraw,
        creation_code: 311,
    },
    Service {
        service_id: 2108,
        name: "PaystackUssdDeposit",
        kind: TxType::Deposit,
        creation_code: 311,
    },
    Service {
        service_id: 2109,
        name: "PaystackQRDeposit",
        kind: TxType::Deposit,
        creation_code: 311,
    },
    Service {
        service_id: 2110,
        name: "OpayBankDeposit",
        kind: TxType::Deposit,
        creation_code: 311,
    },
    Service {
        service_id: 2111,
        name: "OpayUssdDeposit",
        kind: TxType::Deposit,
        creation_code: 311,
    },
    Service {
        service_id: 2112,
        name: "OpayWithdraw",
        kind: TxType::Withdraw,
        creation_code: 311,
    },
    Service {
        service_id: 2113,
        name: "ZenithBankWithdraw",
        kind: TxType::Withdraw,
        creation_code: 311,
    },
    Service {
        service_id: 2116,
        name: "CreditS2S",
        kind: TxType::Deposit,
        creation_code: 200,
    },
    Service {
        service_id: 2117,
        name: "EtranzactBankDeposit",
        kind: TxType::Deposit,
        creation_code: 311,
    },
    Service {
        service_id: 2150,
        name: "ParazulaDeposit",
        kind: TxType::Deposit,
        creation_code: 311,
    },
    Service {
        service_id: 2157,
        name: "PixMaldo",
        kind: TxType::Deposit,
        creation_code: 311,
    },
];

/// The service with `service_id`, if the catalog has it.
pub fn service(service_id: u32) -> Option<&'static Service> {
    SERVICES.iter().find(|s| s.service_id == service_id)
}

/// The family of a `codeId`: its leading digit (2 success, 3 pending, 5 cancelled/declined), so
/// long codes such as `3205900` fall in the 3xx family as the omnipay driver's ranges intend.
pub fn family(code: u32) -> u32 {
    let mut c = code;
    while c >= 10 {
        c /= 10;
    }
    c
}
