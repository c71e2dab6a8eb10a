/** Version of the app ABI (sdk/ABI.md) the simulator implements and the SDK targets. */
export const ABI_VERSION = 1
/** The Azure Sphere target API set our SDK headers correspond to. */
export const TARGET_API_SET = '16'
/** The simulated OS version reported by `device show-os-version`. */
export const SIM_OS_VERSION = '25.02'
