import type { Metadata } from "next";
import { LabPage } from "@/features/lab/components/lab-page";

export const metadata: Metadata = { title: "Transport lab" };

export default function LabRoute() {
  return <LabPage />;
}
