export { listFlagChanges, readStoredFlags, saveFlagDefinitions, storedFlagsEtag, type FlagChangeEntry, type StoredFlags } from "./stored-flags";
