"""Invented free text: experts-by-experience comments and consultation quotes.

Every sentence is written for the synthetic sample; none is a real person's words.
"""

from __future__ import annotations

# Comments by recommendation and by how the group rated it (low 1-2, middle 3, high 4-5).
EBE_COMMENTS: dict[str, dict[str, tuple[str, ...]]] = {
    "F-A": {"low": ("People are still walking out with a tent and a travel warrant.",
                    "Housing gets sorted the day before release, if at all."),
            "middle": ("A few more people have a bed on day one. Not enough yet.",
                       "The protocol is a start. Some boroughs still do not answer the phone."),
            "high": ("People we know had an address before they left. That changes everything.",
                     "Housing workers now come in before release. Keep it.")},
    "F-B": {"low": ("Court releases still get nothing. You walk out of the dock alone.",
                    "Nobody joins up. You tell your story five times in the first week."),
            "middle": ("Better from prison. From court it is still luck.",
                       "It works when the right worker is on shift."),
            "high": ("People now leave with an appointment and a script arranged.",
                     "The release-day meeting means everyone knows the plan.")},
    "R1": {"low": ("Nobody we speak to has been offered rehab on release.",
                   "Counting rehab places is fine, but there are not enough of them."),
           "middle": ("Good that rehab is counted now. Waits are still too long.",
                      "Boroughs report the numbers, but people still wait months for funding."),
           "high": ("Two people we know went straight from the gate to rehab.",
                    "Looking past 21 days is right. Recovery takes longer than that.")},
    "R2": {"low": ("Courses inside still count for nothing outside.",
                   "Peer mentors inside have nothing to go to when they get out."),
           "middle": ("The budget pilot helps the few who get it.",
                      "A good idea. Only one or two prisons so far."),
           "high": ("Getting money for clothes and travel made the first week possible.",
                    "Mentors now have a route into paid roles. That is real.")},
    "R3": {"low": ("Peers still work for nothing, and it stops at the gate.",
                   "There are not enough peer workers to meet people at the gate."),
           "middle": ("Peers meet some people at the gate. Weekends and Fridays are missed.",
                      "Better, but the posts are short-term money."),
           "high": ("Being met at the gate by someone who has been there changes the first day.",
                    "Paid peers are the best thing to happen in years. Keep funding them.")},
    "R4": {"low": ("People still get a leaflet they cannot read on their first night.",
                   "Every prison tells you something different."),
           "middle": ("The new pack is better. Not everyone gets it.",
                      "Easy-read helps. Someone still needs to talk it through with you."),
           "high": ("People coming in now know what is there for them.",
                    "The pack is the same everywhere now. That was the point.")},
    "R5": {"low": ("Still running round five offices in the first week.",
                   "No hub where most people are released to."),
           "middle": ("The hubs that are open are good. Most boroughs do not have one.",
                      "A start. Benefits advice is missing in some hubs."),
           "high": ("One place for housing, benefits, food and a peer. It works.",
                    "People drop in on release day and get sorted.")},
    "R6": {"low": ("Women still sit in waiting rooms full of men.",
                   "Nothing for women who leave Bronzefield late in the day."),
           "middle": ("Some women-only sessions now. Not in every borough.",
                      "A start. Women tell us it is not reaching them yet."),
           "high": ("The women's spaces feel safe. Women actually go.",
                    "Women leaving Bronzefield are now met and linked up.")},
    "R7": {"low": ("Lots of meetings about an audit. No audit.",
                   "We were told this was coming last year too."),
           "middle": ("The audit tool is good because we wrote it with them.",
                      "Fieldwork is slow. Pay the auditors on time."),
           "high": ("The audit asked the right questions. Now act on it.",
                    "Auditors with lived experience saw things others missed.")},
    "R8": {"low": ("Staff still talk to people like they are nothing.",
                   "Training is on paper only."),
           "middle": ("The teams that had the training are different. Many have not.",
                      "Good course. Staff turnover means it needs repeating."),
           "high": ("You can tell which staff have done the training.",
                    "Training by people like us works. Make it part of every induction.")},
    "R9": {"low": ("We are asked for our views and never hear back.",
                   "Still treated as a consultation, not a seat at the table."),
           "middle": ("The group meets, but decisions are made elsewhere.",
                      "Good to be in the room. We need papers in time to read them."),
           "high": ("It feels like our voice is being heard at last.",
                    "Having a seat on the board means things get followed up.")},
}
EBE_DISAGREE_COMMENTS = (
    "Partners say this is done. The people we speak to have not noticed.",
    "Rated green, but the people it is for have not felt it yet.",
    "The paperwork is ready. The service on the ground is not.",
)


# Consultation quotes by (theme, sentiment); each pool is used in turn from a random start.
QUOTES: dict[tuple[str, str], tuple[str, ...]] = {
    ("information", "could_improve"): (
        "Nobody told me anything when I came in. I found out from another lad on the wing.",
        "I got a leaflet on my first night. I was rattling, I could not read it.",
        "It should be said to you, not just handed over on paper.",
        "Every prison tells you something different about what is out there.",
        "I only heard about the drug service after six weeks."),
    ("information", "worked_well"): (
        "The nurse on reception explained it properly and checked I understood.",
        "A peer came round on my second day and went through it with me.",
        "The video on the kiosk was easier than reading."),
    ("housing", "could_improve"): (
        "I am going out with a tent. How am I meant to stay clean in a tent?",
        "They sort housing the day before release. That is too late.",
        "Last time I was sofa surfing within a week and back using.",
        "Without an address you cannot get a script, you cannot get benefits, nothing.",
        "I keep getting told to go to the council on the day. The queue is all day."),
    ("housing", "worked_well"): (
        "I had a room sorted before I left. First time ever. It made all the difference.",
        "The housing worker came to see me twice before my date.",
        "Approved premises were strict but at least I had a bed."),
    ("through the gate", "could_improve"): (
        "I got released from court with a bag and a travel warrant. No script, no appointment.",
        "My appointment was for the Monday and I got out on a Friday.",
        "Probation, the drug team and the council all want you at the same time.",
        "Nobody joined up. I told my story five times in the first week.",
        "On remand you just get let out. Nobody plans anything for you."),
    ("through the gate", "worked_well"): (
        "My worker from outside came in to see me. I knew her face when I got out.",
        "They booked my script for the day after release. It kept me safe.",
        "Someone rang the prison to check I had got to my first appointment."),
    ("peer support", "could_improve"): (
        "The peers inside are great but it stops at the gate.",
        "I want to talk to someone who has done it, not someone reading from a form.",
        "There are not enough peers for the number of people coming through.",
        "Peers inside do it for nothing. They should be paid like anyone else."),
    ("peer support", "worked_well"): (
        "A peer met me at the gate and took me to my appointment. I would not have gone.",
        "Talking to someone who has been there is the only thing that got through to me.",
        "The peer mentor on my wing was the reason I started the course."),
    ("rehab", "could_improve"): (
        "I asked for rehab three times. The funding takes months.",
        "If I could go straight from here to rehab I would have a chance.",
        "Nobody even mentioned rehab until I asked.",
        "By the time the rehab bed came through I was back inside."),
    ("rehab", "worked_well"): (
        "I went straight to rehab from the gate. Eight months clean now.",
        "The worker did the assessment while I was still inside, so the bed was ready.",
        "Detox first and then rehab was the right order for me."),
    ("rewarding progress", "could_improve"): (
        "I did every course going and it counts for nothing outside.",
        "I was a mentor for two years. Outside I am just another referral.",
        "There should be something for people who have done the work.",
        "My certificates do not get looked at by anybody."),
    ("rewarding progress", "worked_well"): (
        "Finishing the programme got me a place on the recovery course outside.",
        "They gave me money for clothes and travel because I had done the course.",
        "My mentor role helped me get a volunteer job."),
    ("benefits", "could_improve"): (
        "Five weeks waiting for the first payment. That is when people go back to using.",
        "I need one place where I can sort benefits, housing and the doctor.",
        "My ID was lost so I could not open a bank account.",
        "Getting out on a Friday means nothing is open until Monday."),
    ("benefits", "worked_well"): (
        "The work coach came in before release and my claim was ready.",
        "The drop-in had benefits advice and food on the same day.",
        "I got an advance payment on day one. It stopped me shoplifting."),
    ("family", "could_improve"): (
        "My kids are the reason I want to stop. Visits got cancelled again and again.",
        "Nobody asked about my family when planning my release.",
        "My mum is the one who picks me up. She needs support too."),
    ("family", "worked_well"): (
        "Family days on the wing kept me going.",
        "The family worker helped me get back in touch with my daughter."),
    ("women", "could_improve"): (
        "I do not want to sit in a waiting room full of men. Some of them hurt women like me.",
        "There is nothing just for women where I live.",
        "They send you miles from home and then release you miles from your kids.",
        "Women's services close at four. That is no use when you are released late."),
    ("women", "worked_well"): (
        "The women's centre was the first place I felt safe.",
        "Having a women's group to go to on my first day helped a lot.",
        "The worker understood what I had been through. She did not judge me."),
    ("staff training", "could_improve"): (
        "Some staff talk to you like you are nothing. Training by people like us would help.",
        "They do not understand withdrawal. They think you are putting it on.",
        "Staff change so often you never build trust."),
    ("staff training", "worked_well"): (
        "The officer on my wing had done the training and you could tell.",
        "My key worker listened and did what she said she would."),
    ("having a say", "could_improve"): (
        "We get asked what we think and then never hear back.",
        "Put people who have been through it in the room where decisions get made.",
        "Pay people for their time when you ask them for their story."),
    ("having a say", "worked_well"): (
        "Today is the first time anyone has asked me.",
        "It matters that someone writes down what we say."),
}
