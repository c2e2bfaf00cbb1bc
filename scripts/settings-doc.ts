import { writeFile } from "node:fs/promises";
import { renderSettingsMarkdown } from "../shared/settings/docs.js";

await writeFile("docs/settings.md", renderSettingsMarkdown());
