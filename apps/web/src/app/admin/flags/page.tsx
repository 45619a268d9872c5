import type { Metadata } from "next";
import { AdminFlagsPage } from "@/features/admin-flags/components/admin-flags-page";

export const metadata: Metadata = { title: "Flags · Admin" };

// Outside the signed-in (app) shell: an operator need not be a guest.
export default function Page() {
  return <AdminFlagsPage />;
}
